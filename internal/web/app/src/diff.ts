// A word diff for previews the API has not seen yet (an amendment being
// written, a facilitator's unsaved edit): the same shape as the API's
// DiffOps, computed as the longest common subsequence of word tokens.
import type { DiffOps } from "./api/client";

function tokens(s: string): string[] {
  return s.match(/\s+|[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu) ?? [];
}

export function wordDiff(a: string, b: string): DiffOps {
  const x = tokens(a);
  const y = tokens(b);
  // Trim the common head and tail so long texts with small edits stay cheap.
  let head = 0;
  while (head < x.length && head < y.length && x[head] === y[head]) head++;
  let tail = 0;
  while (tail < x.length - head && tail < y.length - head && x[x.length - 1 - tail] === y[y.length - 1 - tail]) tail++;
  const xs = x.slice(head, x.length - tail);
  const ys = y.slice(head, y.length - tail);
  const n = xs.length;
  const m = ys.length;
  const L: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    const row = L[i]!;
    const next = L[i + 1]!;
    for (let j = m - 1; j >= 0; j--) {
      row[j] = xs[i] === ys[j] ? next[j + 1]! + 1 : Math.max(next[j]!, row[j + 1]!);
    }
  }
  const ops: DiffOps = [];
  const push = (op: "equal" | "insert" | "delete", text: string) => {
    const last = ops[ops.length - 1];
    if (last && last.op === op) last.text += text;
    else ops.push({ op, text });
  };
  if (head) push("equal", x.slice(0, head).join(""));
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (xs[i] === ys[j]) {
      push("equal", xs[i]!);
      i++;
      j++;
    } else if (L[i + 1]![j]! >= L[i]![j + 1]!) {
      push("delete", xs[i++]!);
    } else {
      push("insert", ys[j++]!);
    }
  }
  while (i < n) push("delete", xs[i++]!);
  while (j < m) push("insert", ys[j++]!);
  if (tail) push("equal", x.slice(x.length - tail).join(""));
  return ops;
}

export function changes(ops: DiffOps): boolean {
  return ops.some((o) => o.op !== "equal");
}
