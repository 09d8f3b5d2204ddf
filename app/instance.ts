import { randomBytes } from "node:crypto";
import { hostname } from "node:os";

/** Who this process is, for leases and sync runs: host, pid and a random tag (pids repeat). */
export function instanceId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
}
