import { describeStoreContract } from "./store-contract.ts";

describeStoreContract({ name: "dynalite", endpoint: () => null });
