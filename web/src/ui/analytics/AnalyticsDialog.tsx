// The admins' usage analytics (issue 16): a period picker, a room picker
// (all rooms or one: its days, its charts, its CSV), headline figures, two
// SVG bar charts with a table of every day as their fallback, the rooms'
// table (a room's name shows that room) and a CSV download built from the
// same reply.
import "./analytics.css";
import { useEffect, useId, useRef, useState } from "preact/hooks";
import type { AnalyticsFrame, AnalyticsRoom } from "../../api/protocol.gen";
import { analyticsCsv, csvFileName } from "../../features/analyticsCsv";
import { Dialog } from "../common/Dialog";
import { useApp } from "../common/context";
import { useSubmit } from "../common/useSubmit";
import { BarChart } from "./BarChart";

const PERIODS = [7, 30, 90] as const;

// rangeOf is the last n UTC days, today included.
export function rangeOf(n: number, now = new Date()): { from: string; to: string } {
  const to = now.toISOString().slice(0, 10);
  const from = new Date(now.getTime() - (n - 1) * 86_400_000).toISOString().slice(0, 10);
  return { from, to };
}

export function AnalyticsDialog({ onClose }: { onClose(): void }) {
  const { chat, t, prefs } = useApp();
  const [days, setDays] = useState<number>(30);
  const uid = useId();
  const [roomId, setRoomId] = useState("");
  const [data, setData] = useState<AnalyticsFrame | null>(null);
  // The picker's rooms: those of the last all-rooms reply, plus the one
  // shown (a room keeps its place when another period has no activity).
  const [known, setKnown] = useState<Pick<AnalyticsRoom, "roomId" | "name">[]>([]);
  const latest = useRef(0);
  const { error, run } = useSubmit();
  useEffect(() => {
    const n = ++latest.current;
    void run(async () => {
      const r = (await chat.read({ action: "getAnalytics", ...rangeOf(days), ...(roomId ? { roomId } : {}) })) as AnalyticsFrame;
      if (n !== latest.current) return; // a later choice's reply wins
      setData(r);
      setKnown((k) => {
        const next = r.roomId ? [...k] : r.rooms.map(({ roomId, name }) => ({ roomId, name }));
        for (const x of r.rooms) if (!next.some((y) => y.roomId === x.roomId)) next.push({ roomId: x.roomId, name: x.name });
        if (roomId && !next.some((y) => y.roomId === roomId)) next.push({ roomId, name: k.find((y) => y.roomId === roomId)?.name ?? "" });
        return next;
      });
    });
  }, [days, roomId]);
  const roomName = (r: { roomId: string; name: string }) => (r.name ? (r.roomId.startsWith("d_") ? r.name : `#${r.name}`) : r.roomId);
  const shown = roomId ? known.find((r) => r.roomId === roomId) : undefined;

  const num = (n: number) => n.toLocaleString(prefs.lang);
  const usd = (n: number) => n.toLocaleString(prefs.lang, { style: "currency", currency: "USD", minimumFractionDigits: 2, maximumFractionDigits: n > 0 && n < 0.01 ? 6 : 2 });
  const bytes = (n: number) => (n < 1024 ? `${num(n)} B` : n < 1048576 ? `${(n / 1024).toLocaleString(prefs.lang, { maximumFractionDigits: 1 })} KB` : `${(n / 1048576).toLocaleString(prefs.lang, { maximumFractionDigits: 1 })} MB`);

  const download = () => {
    if (!data) return;
    const url = URL.createObjectURL(new Blob([analyticsCsv(data)], { type: "text/csv;charset=utf-8" }));
    const a = document.createElement("a");
    a.href = url;
    a.download = csvFileName(data);
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };

  const chartDesc = (max: number) => (data ? t("analytics.chartDesc", { from: data.from, to: data.to, max: num(max) }) : "");
  return (
    <Dialog title={t("analytics.title")} onClose={onClose} wide className="analytics-dialog">
      <div class="analytics-head">
        <fieldset class="period-picker">
          <legend>{t("analytics.period")}</legend>
          {PERIODS.map((n) => (
            <label key={n}>
              <input type="radio" name="analytics-period" value={n} checked={days === n} onChange={() => setDays(n)} />
              {t("analytics.days", { n })}
            </label>
          ))}
        </fieldset>
        <div class="room-picker">
          <label for={`${uid}-room`}>{t("analytics.roomPicker")}</label>
          <select id={`${uid}-room`} value={roomId} onChange={(e) => setRoomId((e.target as HTMLSelectElement).value)}>
            <option value="">{t("analytics.allRooms")}</option>
            {known.map((r) => (
              <option key={r.roomId} value={r.roomId}>
                {roomName(r)}
              </option>
            ))}
          </select>
        </div>
        <button type="button" class="btn" onClick={download} disabled={!data}>
          {t("analytics.download")}
        </button>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {!data ? (
        <p>{t("common.loading")}</p>
      ) : (
        <div class="stack" data-range={`${data.from}..${data.to}`} data-room-shown={data.roomId ?? ""}>
          {data.roomId && <p class="muted">{t("analytics.roomOnly", { room: shown ? roomName(shown) : data.roomId })}</p>}
          <ul class="analytics-figures" aria-label={t("analytics.total")}>
            <li data-figure="messages">
              <span class="figure-value">{num(data.totals.messages)}</span>
              <span class="figure-label">{t("analytics.messages")}</span>
            </li>
            <li data-figure="active">
              <span class="figure-value">{num(data.totals.activePeople)}</span>
              <span class="figure-label">{t("analytics.active")}</span>
            </li>
            <li data-figure="files">
              <span class="figure-value">{num(data.totals.files)}</span>
              <span class="figure-label">
                {t("analytics.files")} ({bytes(data.totals.fileBytes)})
              </span>
            </li>
            <li data-figure="cost">
              <span class="figure-value">{usd(data.totals.costUsd + data.connectionCostUsd)}</span>
              <span class="figure-label">{t("analytics.cost")}</span>
            </li>
          </ul>
          <div class="analytics-charts">
            <BarChart
              title={shown ? `${t("analytics.chartMessages")}: ${roomName(shown)}` : t("analytics.chartMessages")}
              desc={chartDesc(Math.max(0, ...data.days.map((d) => d.messages)))}
              yLabel={t("analytics.messages")}
              bars={data.days.map((d) => ({ label: d.day, value: d.messages }))}
            />
            <BarChart
              title={shown ? `${t("analytics.chartActive")}: ${roomName(shown)}` : t("analytics.chartActive")}
              desc={chartDesc(Math.max(0, ...data.days.map((d) => d.activePeople)))}
              yLabel={t("analytics.active")}
              bars={data.days.map((d) => ({ label: d.day, value: d.activePeople }))}
            />
          </div>
          <details>
            <summary>{t("analytics.table")}</summary>
            <div class="analytics-tablewrap" tabIndex={0} role="region" aria-label={t("analytics.table")}>
              <table class="analytics" data-table="days">
                <thead>
                  <tr>
                    <th scope="col">{t("analytics.day")}</th>
                    <th scope="col">{t("analytics.messages")}</th>
                    <th scope="col">{t("analytics.active")}</th>
                    <th scope="col">{t("analytics.newMembers")}</th>
                    <th scope="col">{t("analytics.files")}</th>
                    {!data.roomId && <th scope="col">{t("analytics.connections")}</th>}
                    {!data.roomId && <th scope="col">{t("analytics.connectionMinutes")}</th>}
                    <th scope="col">{t("analytics.cost")}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.days.map((d) => (
                    <tr key={d.day}>
                      <th scope="row">{d.day}</th>
                      <td>{num(d.messages)}</td>
                      <td>{num(d.activePeople)}</td>
                      <td>{num(d.newMembers)}</td>
                      <td>{num(d.files)}</td>
                      {!data.roomId && <td>{num(d.connections)}</td>}
                      {!data.roomId && <td>{num(d.connectionMinutes)}</td>}
                      <td>{usd(d.costUsd)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <p class="muted">
              {t("analytics.activeWeek")}: {data.weeks.map((w) => `${w.period} ${num(w.activePeople)}`).join(", ")}. {t("analytics.activeMonth")}:{" "}
              {data.months.map((m) => `${m.period} ${num(m.activePeople)}`).join(", ")}.
            </p>
          </details>
          <h3>{t("analytics.rooms")}</h3>
          {data.rooms.length === 0 ? (
            <p class="muted">{t("analytics.noRooms")}</p>
          ) : (
            <div class="analytics-tablewrap" tabIndex={0} role="region" aria-label={t("analytics.rooms")}>
              <table class="analytics" data-table="rooms">
                <thead>
                  <tr>
                    <th scope="col">{t("analytics.room")}</th>
                    <th scope="col">{t("analytics.messages")}</th>
                    <th scope="col">{t("analytics.active")}</th>
                    <th scope="col">{t("analytics.files")}</th>
                    <th scope="col">{t("analytics.fileBytes")}</th>
                    <th scope="col">{t("analytics.cost")}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.rooms.map((r) => (
                    <tr key={r.roomId} data-room={r.roomId}>
                      <th scope="row">
                        {data.roomId ? (
                          roomName(r)
                        ) : (
                          <button type="button" class="link" title={t("analytics.showRoom", { room: roomName(r) })} onClick={() => setRoomId(r.roomId)}>
                            {roomName(r)}
                          </button>
                        )}
                      </th>
                      <td data-col="messages">{num(r.messages)}</td>
                      <td data-col="active">{num(r.activePeople)}</td>
                      <td data-col="files">{num(r.files)}</td>
                      <td data-col="bytes">{bytes(r.fileBytes)}</td>
                      <td data-col="cost">{usd(r.costUsd)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <p class="muted">{t("analytics.costNote", { cost: usd(data.connectionCostUsd) })}</p>
        </div>
      )}
    </Dialog>
  );
}
