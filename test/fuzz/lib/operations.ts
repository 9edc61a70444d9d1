/**
 * The operations of the API as its OpenAPI document describes them: the fuzzer knows nothing of the route list, so a
 * route added to api/routes/ is fuzzed as soon as it is in the document.
 */
export type JsonSchema = Record<string, any>;

export type Access = 'public' | 'master' | 'read' | 'write' | 'support';

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schema: JsonSchema;
}

export interface Operation {
  /** "POST /api/v1/orders/{id}/reserve" */
  id: string;
  method: 'get' | 'post' | 'delete' | 'put' | 'patch';
  path: string;
  access: Access;
  params: Parameter[];
  body?: JsonSchema;
}

export interface ApiDescription {
  operations: Operation[];
  /** The closed set of error codes (the Error schema's enum). */
  errorCodes: Set<string>;
  /** Resolves a `$ref` against the document's components. */
  resolve(schema: JsonSchema): JsonSchema;
}

/** Who may call an operation: no security is public; otherwise the scope the description names, or the master key. */
function accessOf(op: any): Access {
  if (Array.isArray(op.security) && op.security.length === 0) return 'public';
  const text = String(op.description ?? '');
  if (/Master key only/.test(text)) return 'master';
  const scope = /Scope: `(read|write|support)`/.exec(text);
  if (!scope) throw new Error(`cannot tell the access of ${op.operationId ?? op.summary}: no "Scope: \`…\`" in its description`);
  return scope[1] as Access;
}

export function describeApi(doc: any): ApiDescription {
  const resolve = (schema: JsonSchema): JsonSchema => {
    let s = schema;
    for (let i = 0; i < 20 && s && typeof s.$ref === 'string'; i++) {
      const [, , kind, name] = s.$ref.split('/');
      s = doc.components?.[kind]?.[name];
    }
    if (!s) throw new Error(`unresolvable $ref ${schema.$ref}`);
    return s;
  };
  const operations: Operation[] = [];
  for (const [path, ops] of Object.entries<any>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(ops)) {
      if (!['get', 'post', 'delete', 'put', 'patch'].includes(method)) continue;
      const params: Parameter[] = (op.parameters ?? []).map((p: any) => {
        const r = resolve(p);
        return { name: r.name, in: r.in, required: Boolean(r.required), schema: resolve(r.schema ?? {}) };
      });
      const body = op.requestBody ? resolve(resolve(op.requestBody).content?.['application/json']?.schema ?? {}) : undefined;
      operations.push({
        id: `${method.toUpperCase()} ${path}`,
        method: method as Operation['method'],
        path,
        access: accessOf(op),
        params,
        body,
      });
    }
  }
  const error = resolve(doc.components.schemas.Error);
  const codes: string[] = resolve(resolve(error.properties.error).properties.code).enum;
  return { operations, errorCodes: new Set(codes), resolve };
}
