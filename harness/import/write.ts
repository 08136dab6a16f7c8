/**
 * The assembled topology as YAML, with the comments (unmodelled properties,
 * invented names, guessed products) beside the entries they belong to and the
 * summary at the top. Users are written one per line (flow style, JSON-quoted
 * strings, which YAML reads as they are) by this file rather than the yaml
 * library's document model: a 10,000-user tenant would otherwise spend most of
 * its import time there.
 */
import { Document, type Node } from "yaml";
import type { CommentAt } from "./assemble.ts";

const USERS_MARK = "__edgesim_users__";

export function topologyYaml(topology: Record<string, unknown>, comments: CommentAt[], header: string[]): string {
  const org = topology.organisation as { users: Record<string, string>[] };
  const users = org.users;
  const doc = new Document({ ...topology, organisation: { ...org, users: users.length ? USERS_MARK : [] } });
  doc.commentBefore = header.map((l) => ` ${l}`).join("\n");
  const userComments = new Map<number, string[]>();
  for (const c of comments) {
    if (c.path[0] === "organisation" && c.path[1] === "users" && typeof c.path[2] === "number") {
      userComments.set(c.path[2], c.lines);
      continue;
    }
    const node = doc.getIn(c.path, true) as Node | undefined;
    if (!node) continue;
    const text = c.lines.map((l) => ` ${l}`).join("\n");
    node.commentBefore = node.commentBefore ? `${node.commentBefore}\n${text}` : text;
  }
  const text = doc.toString({ lineWidth: 0 });
  if (!users.length) return text;
  const lines: string[] = [];
  users.forEach((u, i) => {
    for (const l of userComments.get(i) ?? []) lines.push(`    # ${l}`);
    lines.push(`    - { ${Object.entries(u).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(", ")} }`);
  });
  return text.replace(`  users: ${USERS_MARK}\n`, `  users:\n${lines.join("\n")}\n`);
}
