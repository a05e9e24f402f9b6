// RFC 6749 §5.2: "Values for the "error_description" parameter MUST NOT include characters outside
// the set %x20-21 / %x23-5B / %x5D-7E." The OAuthError type refuses other characters, and this file
// finds every message the code can put in an error (string and template literals passed to the
// error constructors anywhere in lib/ and app/), builds each with hostile sample values for its
// interpolations, and constructs it.
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as errors from './errors';
import { OAuthError, isValidErrorDescription, quoteValue, sanitizeDescription, toErrorResponse } from './errors';

const ROOT = path.resolve(import.meta.dirname, '../..');
/** Every character class the rule forbids, and the ones people paste: quotes, backslash, controls, non-ASCII. */
const HOSTILE = 'a"b\\c\u201cd\u201De\u2019f\u00a7g\u2026h\ni\tj\u0000k\u007fl\u00e9m\u{1F600}n';

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(p));
    else if (/\.tsx?$/.test(e.name) && !/\.(test|d)\.tsx?$/.test(e.name)) out.push(p);
  }
  return out;
}

/**
 * The error factories of errors.ts: name → index of the description argument. insufficientScope
 * takes a scope, which it sanitises itself (checked by the default-descriptions test below).
 */
const NOT_A_DESCRIPTION = ['isValidErrorDescription', 'sanitizeDescription', 'quoteValue', 'toErrorResponse', 'logUnexpected', 'insufficientScope', 'AuthorizationError', 'authorizationResponseUri'];
const FACTORIES = new Map<string, number>(
  Object.entries(errors)
    .filter(([name, v]) => typeof v === 'function' && name !== 'OAuthError' && !NOT_A_DESCRIPTION.includes(name))
    .map(([name]) => [name, 0]),
);

/**
 * Interpolations that are not request values, reviewed one by one (file: expression → a sample).
 * Anything else interpolated into a message must go through quoteValue() or sanitizeDescription().
 */
const REVIEWED: Record<string, string> = {
  'lib/oauth/grants/device-code.ts: row.interval': '10', // a number from the database
  'lib/oauth/scope.ts: known.join(\' \')': 'read write introspection openid profile email', // SCOPES, validated scope tokens
  'lib/oauth/http.ts: name': 'client_id', // required(params, '<literal>')
  'lib/oauth/endpoints/token.ts: grantType': 'client_credentials', // a grant type we registered
  'lib/oauth/endpoints/token.ts: described.switchedOnBy': 'ALLOW_PASSWORD_GRANT', // the catalogue's setting name
  'lib/http/body.ts: formatBytes(limit)': '64 KiB', // the MAX_*_BODY_BYTES setting, formatted
  'lib/api/notes.ts: NOTE_MAX_LENGTH': '1000',
  // Sizes (numbers) of the authorization request and its documented limits (README "Limits").
  'lib/oauth/endpoints/authorize.ts: state.length': '9000',
  'lib/oauth/endpoints/authorize.ts: authorizeMaxStateChars': '8192',
  'lib/oauth/endpoints/authorize.ts: bytes': '13000',
  'lib/oauth/endpoints/authorize.ts: authorizeMaxRequestBytes': '12288',
  // RFC 7591/7592: a stored client type, and the names of the server-only fields (a literal list).
  'lib/oauth/endpoints/register.ts: keepType': 'confidential',
  'lib/oauth/endpoints/register.ts: f': 'registration_access_token',
};

interface Found {
  where: string;
  values: string[];
  unresolved: string[];
}

function scan(file: string): Found[] {
  const rel = path.relative(ROOT, file);
  const src = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true, file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const consts = new Map<string, ts.Expression>();
  const functions = new Map<string, ts.FunctionLikeDeclaration>();
  const why: ts.Expression[] = [];
  const params = new Set<string>();
  const local = new Map<string, number>(); // wrappers in this file: function(desc) { new OAuthError(code, desc) }
  const visitDecls = (n: ts.Node) => {
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.initializer) {
      if (ts.isArrowFunction(n.initializer) || ts.isFunctionExpression(n.initializer)) functions.set(n.name.text, n.initializer);
      else consts.set(n.name.text, n.initializer);
    }
    if (ts.isFunctionDeclaration(n) && n.name) functions.set(n.name.text, n);
    if (ts.isParameter(n) && ts.isIdentifier(n.name)) params.add(n.name.text);
    if (ts.isPropertyAssignment(n) && ts.isIdentifier(n.name) && n.name.text === 'why') why.push(n.initializer);
    ts.forEachChild(n, visitDecls);
  };
  visitDecls(src);
  for (const [name, fn] of functions) {
    const params = fn.parameters.map((p) => p.name.getText(src));
    const findNew = (n: ts.Node): void => {
      if (ts.isNewExpression(n) && n.expression.getText(src) === 'OAuthError' && n.arguments?.[1] && ts.isIdentifier(n.arguments[1])) {
        const i = params.indexOf(n.arguments[1].text);
        if (i >= 0 && rel !== 'lib/oauth/errors.ts') local.set(name, i);
      }
      ts.forEachChild(n, findNew);
    };
    if (fn.body) findNew(fn.body);
  }

  const found: Found[] = [];
  const evaluate = (e: ts.Expression, out: Found, depth = 0): string[] => {
    if (depth > 5) {
      out.unresolved.push(e.getText(src));
      return [];
    }
    if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e)) return evaluate(e.expression, out, depth);
    if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return [e.text];
    if (ts.isTemplateExpression(e)) {
      let acc = [e.head.text];
      for (const span of e.templateSpans) {
        const expr = span.expression;
        let sample: string[];
        if (ts.isCallExpression(expr) && ['quoteValue', 'sanitizeDescription'].includes(expr.expression.getText(src))) {
          sample = [expr.expression.getText(src) === 'quoteValue' ? quoteValue(HOSTILE) : sanitizeDescription(HOSTILE)];
        } else if (`${rel}: ${expr.getText(src)}` in REVIEWED) {
          sample = [REVIEWED[`${rel}: ${expr.getText(src)}`]];
        } else if (ts.isStringLiteral(expr) || ts.isConditionalExpression(expr) || (ts.isIdentifier(expr) && consts.has(expr.text))) {
          sample = evaluate(expr, out, depth + 1);
        } else {
          out.unresolved.push(`\${${expr.getText(src)}}`);
          sample = ['x'];
        }
        acc = acc.flatMap((a) => sample.map((s) => a + s + span.literal.text));
      }
      return acc;
    }
    if (ts.isConditionalExpression(e)) return [...evaluate(e.whenTrue, out, depth + 1), ...evaluate(e.whenFalse, out, depth + 1)];
    if (ts.isBinaryExpression(e) && [ts.SyntaxKind.QuestionQuestionToken, ts.SyntaxKind.BarBarToken].includes(e.operatorToken.kind)) {
      return [...evaluate(e.left, out, depth + 1), ...evaluate(e.right, out, depth + 1)];
    }
    if (ts.isIdentifier(e) && consts.has(e.text)) return evaluate(consts.get(e.text)!, out, depth + 1);
    // A wrapper's own parameter (`description ?? 'default'`): its callers' messages are checked.
    if (ts.isIdentifier(e) && params.has(e.text)) return [];
    if (ts.isCallExpression(e) && ts.isIdentifier(e.expression) && functions.has(e.expression.text)) {
      // A helper that returns the message (or null): every string it can return.
      const fn = functions.get(e.expression.text)!;
      const rets: string[] = [];
      const walk = (n: ts.Node): void => {
        if (ts.isReturnStatement(n) && n.expression && n.expression.kind !== ts.SyntaxKind.NullKeyword) rets.push(...evaluate(n.expression, out, depth + 1));
        if (!ts.isFunctionLike(n) || n === fn) ts.forEachChild(n, walk);
      };
      walk(fn);
      return rets;
    }
    if (ts.isCallExpression(e) && e.expression.getText(src) === 'sanitizeDescription') return [sanitizeDescription(HOSTILE)];
    if (ts.isPropertyAccessExpression(e) && e.name.text === 'why') return why.flatMap((w) => evaluate(w, out, depth + 1));
    out.unresolved.push(e.getText(src));
    return [];
  };

  const visit = (n: ts.Node) => {
    let arg: ts.Expression | undefined;
    let hit = false;
    if (ts.isNewExpression(n) && n.expression.getText(src) === 'OAuthError') {
      hit = true;
      arg = n.arguments?.[1];
    } else if (ts.isCallExpression(n) && ts.isIdentifier(n.expression)) {
      const i = local.get(n.expression.text) ?? FACTORIES.get(n.expression.text);
      if (i !== undefined) {
        hit = true;
        arg = n.arguments[i];
      }
    }
    if (hit && arg) {
      const { line } = src.getLineAndCharacterOfPosition(n.getStart(src));
      const f: Found = { where: `${rel}:${line + 1}`, values: [], unresolved: [] };
      f.values = evaluate(arg, f);
      found.push(f);
    }
    ts.forEachChild(n, visit);
  };
  visit(src);
  return found;
}

const all = ['lib', 'app'].flatMap((d) => sourceFiles(path.join(ROOT, d))).flatMap(scan);

describe('RFC 6749 §5.2: error_description is %x20-21 / %x23-5B / %x5D-7E only', () => {
  it('finds the messages (the scan is not empty)', () => {
    expect(all.length).toBeGreaterThan(60);
    expect(all.flatMap((f) => f.values)).toContain('The user denied the request.');
    expect(all.some((f) => f.where.startsWith('lib/oauth/endpoints/authorize.ts'))).toBe(true);
  });

  it('every message passed to an error constructor in lib/ and app/ is built from literals, reviewed values or sanitised request values', () => {
    expect(all.filter((f) => f.unresolved.length).map((f) => `${f.where}: ${f.unresolved.join(', ')}`)).toEqual([]);
  });

  it('every message, with hostile sample values, uses only the allowed characters and constructs', () => {
    const bad: string[] = [];
    for (const f of all) {
      for (const v of f.values) {
        if (!isValidErrorDescription(v)) bad.push(`${f.where}: ${JSON.stringify(v)}`);
        else expect(() => new OAuthError('invalid_request', v)).not.toThrow();
      }
    }
    expect(bad).toEqual([]);
  });

  it('the factories default descriptions comply too', () => {
    for (const name of [...FACTORIES.keys(), 'insufficientScope', 'serverError', 'missingToken']) {
      const make = (errors as unknown as Record<string, (...a: unknown[]) => OAuthError>)[name];
      const e = name === 'insufficientScope' ? make(HOSTILE) : name === 'tooManyRequests' ? make('Slow down.', 1) : make();
      if (e.description !== undefined) expect(isValidErrorDescription(e.description), `${name}: ${e.description}`).toBe(true);
    }
  });

  it('OAuthError refuses a description with a forbidden character, naming the character but not echoing the text', () => {
    for (const c of ['"', '\\', '\u201c', '\u2019', '\u00a7', '\n', '\u0000', '\u007f', '\u00e9']) {
      expect(() => new OAuthError('invalid_request', `bad ${c} secret-value`)).toThrow(/forbids: U\+[0-9A-F]{4} at 4/);
      try {
        new OAuthError('invalid_request', `bad ${c} secret-value`);
      } catch (e) {
        expect(String(e)).not.toContain('secret-value');
      }
    }
    expect(() => new OAuthError('invalid_request', '')).toThrow(TypeError);
    expect(() => new OAuthError('invalid_request', "Allowed: ASCII with 'single' quotes, [brackets], ~!#$%&()*+,-./:;<=>?@^_`{|}.")).not.toThrow();
  });

  it('quoteValue and sanitizeDescription make any request value safe, bounded and still recognisable', () => {
    expect(isValidErrorDescription(quoteValue(HOSTILE))).toBe(true);
    expect(quoteValue('read"write')).toBe("'read?write'");
    expect(quoteValue('x'.repeat(80))).toBe(`'${'x'.repeat(50)}...'`);
    expect(sanitizeDescription('')).toBe('?');
    expect(sanitizeDescription('caf\u00e9 \u201cok\u201d \u2018x\u2019\u2026')).toBe("caf? 'ok' 'x'...");
  });

  it('a hostile parameter name is echoed sanitised in the JSON error answer', () => {
    const res = toErrorResponse(errors.invalidRequest(`The parameter ${quoteValue(HOSTILE)} was sent more than once.`));
    const body = JSON.parse(res.body) as { error_description: string };
    expect(isValidErrorDescription(body.error_description)).toBe(true);
  });
});
