// Who is signed in, and what that lets the interface offer. The server
// decides every permission; these only hide controls that would be refused.
import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { Me } from "./api/client";

export const SessionContext = createContext<Me | null>(null);

export function useMe(): Me {
  const me = useContext(SessionContext);
  if (!me) throw new Error("useMe outside a session");
  return me;
}

export const isFacilitator = (me: Me) => me.role === "facilitator";

/** speaksFor: the head of delegation or the alternate records positions. */
export const speaksFor = (me: Me) => me.role === "delegate" && me.country !== null && (me.head_of_delegation || me.alternate);

export const canComment = (me: Me) => me.role === "delegate" || me.role === "observer" || me.role === "facilitator";
