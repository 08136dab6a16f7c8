/**
 * Whether a real peer (turnserver, kamailio, dig, ...) is installed, for the tests
 * that need it and the benchmarks that measure it beside edgesim. Looks on the
 * system PATH only: npm packages install bins with the same names in
 * node_modules/.bin (an npm `stun` shadows stun-client's).
 */
import { execFileSync } from "node:child_process";

export function isInstalled(command: string): boolean {
  const PATH = (process.env.PATH ?? "").split(":").filter((d) => !d.includes("node_modules")).join(":");
  try {
    execFileSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore", env: { ...process.env, PATH } });
    return true;
  } catch {
    return false;
  }
}
