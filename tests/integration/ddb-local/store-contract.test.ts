import { inject } from "vitest";
import { describeStoreContract } from "../store-contract.ts";

describeStoreContract({ name: "DynamoDB Local", endpoint: () => inject("ddbLocalEndpoint") });
