#!/usr/bin/env node
/**
 * `npm test`: vitest, inside a private network namespace of its own when this user may
 * make one (root with `unshare` and `ip`, as in CI). Why: every test binds fixed 127.x
 * addresses, so a suite in its own namespace never collides with a world running on the
 * host's loopback (`npm start`) or with another checkout's suite; and the kernel balancer's
 * tests (test/lb-kernel) need a namespace that is not the host's before they load any
 * nftables rule (docs/load-balancer.md). Elsewhere vitest runs as it is, and those tests
 * are skipped by name with the reason. EDGESIM_TEST_NETNS=0 turns the namespace off.
 * Arguments pass through to `vitest run`.
 */
import { spawnSync } from "node:child_process";
import process from "node:process";
import { fileURLToPath, URL } from "node:url";

const vitest = fileURLToPath(new URL("../../node_modules/vitest/vitest.mjs", import.meta.url));
const args = [vitest, "run", ...process.argv.slice(2)];
const works = (cmd, cmdArgs) => spawnSync(cmd, cmdArgs, { stdio: "ignore" }).status === 0;

function namespaceVerdict() {
  if (process.env.EDGESIM_TEST_NETNS === "0") return "EDGESIM_TEST_NETNS=0";
  if (process.getuid?.() !== 0) return "not root";
  if (!works("ip", ["-V"])) return "no `ip` command (Debian package iproute2)";
  if (!works("unshare", ["-n", "true"])) return "`unshare -n` refused";
  return undefined;
}

const why = namespaceVerdict();
const run = why === undefined
  ? (process.stdout.write("npm test: running vitest in a private network namespace (unshare -n, loopback up)\n"),
    spawnSync("unshare", ["-n", "sh", "-c", 'ip link set lo up && exec "$@"', "sh", process.execPath, ...args], { stdio: "inherit" }))
  : (process.stdout.write(`npm test: running vitest in this network namespace (${why}); the kernel balancer's tests skip\n`),
    spawnSync(process.execPath, args, { stdio: "inherit" }));
process.exit(run.status ?? 1);
