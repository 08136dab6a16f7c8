/**
 * The assembled topology as YAML, with the comments (unmodelled properties,
 * invented names, guessed products) beside the entries they belong to and the
 * summary at the top. Users are written one per line (flow style) so a tenant of
 * thousands stays readable.
 */
import { Document, isMap, isSeq, type Node } from "yaml";
import type { CommentAt } from "./assemble.ts";

export function topologyYaml(topology: Record<string, unknown>, comments: CommentAt[], header: string[]): string {
  const doc = new Document(topology);
  doc.commentBefore = header.map((l) => ` ${l}`).join("\n");
  const users = doc.getIn(["organisation", "users"], true);
  if (isSeq(users)) for (const item of users.items) if (isMap(item)) item.flow = true;
  for (const c of comments) {
    const node = doc.getIn(c.path, true) as Node | undefined;
    if (!node) continue;
    const text = c.lines.map((l) => ` ${l}`).join("\n");
    node.commentBefore = node.commentBefore ? `${node.commentBefore}\n${text}` : text;
  }
  return doc.toString({ lineWidth: 0 });
}
