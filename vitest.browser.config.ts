import { defineConfig } from "vitest/config";

/** `npm run test:browser`: the web dashboard in a real headless Chromium (Debian's `chromium`). */
export default defineConfig({
  test: {
    include: ["tests/web/browser/**/*.test.ts"],
    setupFiles: ["tests/setup.ts"],
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
