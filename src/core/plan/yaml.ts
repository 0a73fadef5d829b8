/**
 * Strict YAML for ceremony plans: YAML 1.2 core schema, no duplicate keys, no anchors or
 * aliases, no custom tags, and every warning treated as an error with its line and column.
 */
import { isAlias, isNode, parseDocument, visit } from 'yaml';
import { InputError } from '../errors';

export const MAX_PLAN_BYTES = 256 * 1024;

export function parseYamlStrict(text: string, field = 'plan'): unknown {
  if (typeof text !== 'string') throw new InputError('yaml.type', field, 'must be text');
  if (text.length > MAX_PLAN_BYTES) throw new InputError('yaml.size', field, `is larger than ${MAX_PLAN_BYTES} bytes`);
  const doc = parseDocument(text, { schema: 'core', uniqueKeys: true, strict: true, prettyErrors: true, customTags: [] });
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) {
    const pos = problem.linePos?.[0];
    const where = pos ? ` at line ${pos.line}, column ${pos.col}` : '';
    throw new InputError('yaml.syntax', field, `YAML error${where}: ${problem.message.split('\n')[0]}`);
  }
  if (doc.contents === null) throw new InputError('yaml.empty', field, 'is empty');
  let refused: string | undefined;
  visit(doc, (_key, node) => {
    if (isAlias(node) || (isNode(node) && node.anchor)) refused = 'anchors and aliases are not allowed in a plan';
    else if (isNode(node) && node.tag && !node.tag.startsWith('tag:yaml.org,2002:')) refused = `the tag ${node.tag} is not allowed in a plan`;
    return refused ? visit.BREAK : undefined;
  });
  if (refused) throw new InputError('yaml.feature', field, refused);
  return doc.toJS();
}
