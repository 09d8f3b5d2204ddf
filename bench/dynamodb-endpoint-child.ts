// A DynamoDB engine (dynalite, in memory) in a process of its own: the sync benchmark's
// `--store endpoint`, so the store's work is outside the measured process as on AWS.
import type { AddressInfo } from "node:net";
import dynalite from "dynalite";
import { closeIteratorsOnReturn } from "../services/store/embedded-engine.ts";

closeIteratorsOnReturn();

const engine = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
await new Promise<void>((ok) => engine.listen(0, "127.0.0.1", () => ok()));
const { port } = engine.address() as AddressInfo;
process.send?.({ type: "ready", endpoint: `http://127.0.0.1:${port}` });
process.on("message", () => {
  engine.closeAllConnections();
  engine.close(() => process.exit(0));
});
