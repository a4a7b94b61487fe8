import { describe, expect, it } from "vitest";
import type { AnalyticsFrame } from "../../src/api/protocol.gen";
import { analyticsCsv, cell, csvFileName } from "../../src/features/analyticsCsv";

const frame: AnalyticsFrame = {
  type: "analytics",
  from: "2026-11-29",
  to: "2026-11-30",
  days: [
    { day: "2026-11-29", messages: 8, activePeople: 4, newMembers: 8, files: 2, fileBytes: 304, connections: 4, connectionMinutes: 3, costUsd: 0.0000655 },
    { day: "2026-11-30", messages: 0, activePeople: 0, newMembers: 0, files: 0, fileBytes: 0, connections: 0, connectionMinutes: 0, costUsd: 0 },
  ],
  weeks: [],
  months: [],
  rooms: [{ roomId: "c_1", name: '=cmd|"x", y', messages: 8, activePeople: 4, newMembers: 8, files: 2, fileBytes: 304, costUsd: 0.0000655 }],
  totals: { roomId: "", name: "", messages: 8, activePeople: 4, newMembers: 8, files: 2, fileBytes: 304, costUsd: 0.0000655 },
  connectionCostUsd: 0.00000075,
};

describe("analyticsCsv", () => {
  it("writes a header, a row per day, per room and a total, CRLF", () => {
    const lines = analyticsCsv(frame).split("\r\n");
    expect(lines).toEqual([
      "kind,day,room_id,room_name,messages,active_people,new_members,files,file_bytes,connections,connection_minutes,estimated_cost_usd",
      "day,2026-11-29,,,8,4,8,2,304,4,3,0.000066",
      "day,2026-11-30,,,0,0,0,0,0,0,0,0.000000",
      `room,2026-11-29..2026-11-30,c_1,"'=cmd|""x"", y",8,4,8,2,304,,,0.000066`,
      "total,2026-11-29..2026-11-30,,,8,4,8,2,304,4,3,0.000066",
      "",
    ]);
  });
  it("names the room in its day and total rows when the reply is one room's, without connections", () => {
    const one: AnalyticsFrame = {
      ...frame,
      roomId: "c_1",
      rooms: [{ ...frame.rooms[0], name: "design" }],
      days: frame.days.map((d) => ({ ...d, connections: 0, connectionMinutes: 0 })),
      connectionCostUsd: 0,
    };
    expect(analyticsCsv(one).split("\r\n")).toEqual([
      "kind,day,room_id,room_name,messages,active_people,new_members,files,file_bytes,connections,connection_minutes,estimated_cost_usd",
      "day,2026-11-29,c_1,design,8,4,8,2,304,,,0.000066",
      "day,2026-11-30,c_1,design,0,0,0,0,0,,,0.000000",
      "room,2026-11-29..2026-11-30,c_1,design,8,4,8,2,304,,,0.000066",
      "total,2026-11-29..2026-11-30,c_1,design,8,4,8,2,304,,,0.000066",
      "",
    ]);
    expect(csvFileName(one)).toBe("backchannel-analytics-2026-11-29-to-2026-11-30-c_1.csv");
  });
  it("defuses formulas and quotes", () => {
    expect(cell("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(cell("-3")).toBe("'-3");
    expect(cell(-3)).toBe("-3");
    expect(cell("a,b")).toBe('"a,b"');
  });
  it("names the file by its range", () => {
    expect(csvFileName(frame)).toBe("backchannel-analytics-2026-11-29-to-2026-11-30.csv");
  });
});
