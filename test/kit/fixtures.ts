/**
 * Where the tests' fixed data lives: test/fixtures/, found from this file so a clone
 * anywhere (with nothing beside it) finds it. What each fixture is and where it comes
 * from: test/fixtures/README.md.
 */
import { fileURLToPath } from "node:url";

const FIXTURES = new URL("../fixtures/", import.meta.url);

/** The absolute path of a file or folder under test/fixtures/. */
export function fixturePath(...parts: string[]): string {
  return fileURLToPath(new URL(parts.join("/"), FIXTURES));
}
