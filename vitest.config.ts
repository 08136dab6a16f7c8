import { defineConfig } from "vitest/config";

// Two cores: run test files in a small pool; tests use real sockets on 127.0.0.0/8,
// each test file takes its own addresses so files may run side by side.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 30_000,
    reporters: ["default", "./test/kit/summary-reporter.ts"],
  },
});
