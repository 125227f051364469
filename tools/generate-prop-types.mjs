/**
 * Generates lib/private/prop-types.generated.ts: the runtime shape of every public props struct
 * (exported interfaces of lib/ without methods), read from the TypeScript types.
 *
 * Why: TypeScript checks props at compile time only. JavaScript and Python users (and values
 * read from context or JSON) reach the constructs unchecked, and a string where an array belongs
 * or an enum key instead of its value would otherwise crash with a TypeError or synthesize a
 * broken template. The constructs check their props against these shapes first.
 *
 * Usage: node tools/generate-prop-types.mjs [--check]
 * With --check it writes nothing and exits 1 when the committed file is stale.
 */
import * as fs from 'fs';
import * as path from 'path';
import { fileURLToPath } from 'url';
import ts from 'typescript';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'lib', 'private', 'prop-types.generated.ts');
const LIB = path.join(ROOT, 'lib') + path.sep;

/**
 * Durations the library converts with millisecond precision (latencies). Every other duration
 * reaches an API that counts whole seconds, so the runtime check requires whole seconds.
 */
const PRECISE_DURATIONS = new Set([
  'EndpointDeploymentOptions.maxModelLatency',
  'InferenceServiceMonitoringOptions.latencyThreshold',
  'SageMakerEndpointMonitoringOptions.latencyThreshold',
]);

export function generatePropTypes() {
  const program = ts.createProgram([path.join(ROOT, 'lib', 'index.ts')], {
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, strict: true, skipLibCheck: true,
  });
  const checker = program.getTypeChecker();
  const structs = new Map();

  const inLib = (decl) => decl.getSourceFile().fileName.startsWith(LIB) && !decl.getSourceFile().fileName.includes(`${path.sep}private${path.sep}`);
  const isStructDecl = (decl) => ts.isInterfaceDeclaration(decl)
    && !/^I[A-Z]/.test(decl.name.text)
    && checker.getPropertiesOfType(checker.getTypeAtLocation(decl)).every((p) => {
      const d = p.valueDeclaration ?? p.declarations?.[0];
      return d && ts.isPropertySignature(d);
    });
  /** Name of a type declared outside lib, as users import it (e.g. iam.IRole). */
  const externalName = (type) => {
    const text = checker.typeToString(type, undefined, ts.TypeFormatFlags.NoTruncation);
    const file = type.getSymbol()?.declarations?.[0]?.getSourceFile().fileName ?? '';
    const module = file.match(/aws-cdk-lib\/(aws-[a-z0-9-]+)\//)?.[1];
    return module && !text.includes('.') ? `${module.replace(/^aws-/, '').replace(/-/g, '')}.${text}` : text;
  };

  function spec(type) {
    if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return 'any';
    if (type.isUnion()) {
      const members = type.types.filter((t) => !(t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)));
      if (members.length && members.every((t) => t.flags & ts.TypeFlags.EnumLiteral)) {
        const enumSymbol = checker.getSymbolAtLocation(members[0].symbol.valueDeclaration.parent.name);
        return { enum: enumSymbol.name, values: members.map((t) => t.value), names: members.map((t) => t.symbol.name) };
      }
      if (members.every((t) => t.flags & ts.TypeFlags.BooleanLiteral)) return 'boolean';
      if (members.every((t) => t.flags & ts.TypeFlags.StringLiteral)) return { literal: members.map((t) => t.value) };
      if (members.length === 1) return spec(members[0]);
      const parts = members.map(spec);
      return { oneOf: parts.filter((p, i) => parts.findIndex((q) => JSON.stringify(q) === JSON.stringify(p)) === i) };
    }
    if (type.flags & ts.TypeFlags.EnumLiteral) {
      const enumSymbol = checker.getSymbolAtLocation(type.symbol.valueDeclaration.parent.name);
      return { enum: enumSymbol.name, values: [type.value], names: [type.symbol.name] };
    }
    if (type.flags & (ts.TypeFlags.String | ts.TypeFlags.StringLiteral)) return 'string';
    if (type.flags & (ts.TypeFlags.Number | ts.TypeFlags.NumberLiteral)) return 'number';
    if (type.flags & (ts.TypeFlags.Boolean | ts.TypeFlags.BooleanLiteral)) return 'boolean';
    if (checker.isArrayType(type) || checker.isTupleType(type)) {
      return { array: spec(checker.getTypeArguments(type)[0]) };
    }
    if (type.getCallSignatures().length > 0) return 'function';
    const symbol = type.aliasSymbol ?? type.getSymbol();
    const decl = type.getSymbol()?.declarations?.[0];
    const stringIndex = type.getStringIndexType();
    if (stringIndex && type.getProperties().length === 0) return { map: spec(stringIndex) };
    if (decl && inLib(decl)) {
      if (isStructDecl(decl)) {
        addStruct(decl);
        return { struct: decl.name.text };
      }
      return { instance: symbol.name, ...examplesOf(decl) };
    }
    const name = externalName(type);
    if (name === 'Duration') return 'duration';
    if (name === 'Size') return 'size';
    if (type.flags & ts.TypeFlags.Object) return { instance: name };
    return 'any';
  }

  /** Up to three public static members of a lib class, to show how to make one (e.g. ColumnType.STRING). */
  function examplesOf(decl) {
    if (!ts.isClassDeclaration(decl) || !decl.name) return {};
    const statics = decl.members.filter((m) => m.name && ts.isIdentifier(m.name)
      && (ts.getCombinedModifierFlags(m) & ts.ModifierFlags.Static) && !(ts.getCombinedModifierFlags(m) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected))
      && !/@internal/.test(m.getFullText()) && !/^is[A-Z]/.test(m.name.text));
    const examples = statics.slice(0, 3).map((m) => `${decl.name.text}.${m.name.text}${ts.isMethodDeclaration(m) ? '()' : ''}`);
    return examples.length ? { examples } : {};
  }

  function addStruct(decl) {
    const name = decl.name.text;
    if (structs.has(name)) return;
    const props = {};
    structs.set(name, props);
    const type = checker.getTypeAtLocation(decl);
    for (const p of checker.getPropertiesOfType(type)) {
      const d = p.valueDeclaration;
      const optional = (p.flags & ts.SymbolFlags.Optional) !== 0;
      const type = spec(checker.getNonNullableType(checker.getTypeOfSymbolAtLocation(p, d)));
      props[p.name] = { type: type === 'duration' && PRECISE_DURATIONS.has(`${name}.${p.name}`) ? 'preciseDuration' : type, ...(optional ? {} : { required: true }) };
    }
  }

  // Every struct the package exports, and the structs their props refer to.
  const index = program.getSourceFile(path.join(ROOT, 'lib', 'index.ts'));
  for (const exported of checker.getExportsOfModule(checker.getSymbolAtLocation(index))) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const decl = symbol.declarations?.[0];
    if (decl && isStructDecl(decl)) addStruct(decl);
  }

  const q = (value) => JSON.stringify(value).replace(/"([A-Za-z_$][\w$]*)":/g, '$1: ').replace(/"/g, "'").replace(/,/g, ', ')
    .replace(/\{/g, '{ ').replace(/\}/g, ' }').replace(/\{ {2}\}/g, '{}');
  const body = [...structs.keys()].sort().map((name) => [
    `  ${name}: {`,
    ...Object.keys(structs.get(name)).sort().map((prop) => `    ${prop}: ${q(structs.get(name)[prop])},`),
    '  },',
  ].join('\n'));
  return [
    '// Generated by tools/generate-prop-types.mjs from the props interfaces of lib/. Do not edit:',
    '// run `npm run generate` after changing a public props interface (a test fails when stale).',
    "import type { StructShapes } from './prop-types';",
    '',
    'export const STRUCT_SHAPES: StructShapes = {',
    ...body,
    '};',
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const text = generatePropTypes();
  if (process.argv.includes('--check')) {
    const current = fs.existsSync(OUT) ? fs.readFileSync(OUT, 'utf8') : '';
    if (current !== text) {
      console.error(`${path.relative(ROOT, OUT)} is stale: run npm run generate`);
      process.exit(1);
    }
  } else {
    fs.writeFileSync(OUT, text);
  }
}
