/** The structured logger every layer receives (pino's); app/logger.ts builds it. */
export type { Logger } from "pino";
