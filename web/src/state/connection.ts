// The connection slice: the connection id and the deployment's limits, both
// from the state event.
import type { ConnectionSlice, SliceReducer } from "./types";

export const initialConnection: ConnectionSlice = { connectionId: "", limits: null };

export const reduceConnection: SliceReducer = (state, action) => {
  if (action.type === "state") return { ...state, connectionId: action.connectionId, limits: action.limits, gifs: !!action.gifs, gifProvider: action.gifProvider };
  return state;
};
