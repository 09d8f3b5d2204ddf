import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/integration/ddb-local/**/*.test.ts"],
    setupFiles: ["tests/setup.ts"],
    globalSetup: ["tests/integration/ddb-local/global-setup.ts"],
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
