/**
 * The Bicep syntax tree. Nodes are plain objects with a `kind` discriminant and UTF-16 offsets
 * `start` (inclusive) and `end` (exclusive) into the file's text. Trivia (whitespace, newlines,
 * comments) is not in the tree; comments are kept in `BicepFile.comments`.
 *
 * Required parts that are missing in broken source are `ErrorNode`s (zero-width where nothing
 * was written), never `null`, so every part a consumer reads has a range to point at.
 */

/** A range of UTF-16 offsets: `start` inclusive, `end` exclusive. */
export interface TextRange {
  start: number;
  end: number;
}

/** A syntax problem found while reading a file. */
export interface ParseDiagnostic {
  start: number;
  end: number;
  message: string;
}

/** A comment: `line` is `// ...`, `block` is a slash-star comment, `directive` is `#disable-next-line ...` and its kin. */
export interface Comment {
  start: number;
  end: number;
  kind: 'line' | 'block' | 'directive';
}

/** A parsed `.bicep` or `.bicepparam` file. */
export interface BicepFile {
  kind: 'bicep' | 'bicepparam';
  text: string;
  statements: Statement[];
  diagnostics: ParseDiagnostic[];
  comments: Comment[];
}

// ---- shared leaves -------------------------------------------------------------------------

/** A name: a declared symbol, a property key, a variable or type reference. */
export interface Identifier extends TextRange {
  kind: 'identifier';
  name: string;
}

/** Something that should be here but is missing or unreadable. */
export interface ErrorNode extends TextRange {
  kind: 'error';
}

/** A string without interpolation (single-line or `'''` multi-line), escapes decoded. */
export interface StringLiteral extends TextRange {
  kind: 'string';
  value: string;
}

/** `'a${x}b'`: `segments` has one more element than `expressions` (`a`, `b` around `x`). */
export interface InterpolatedString extends TextRange {
  kind: 'interpolatedString';
  segments: string[];
  expressions: Expression[];
}

/** An integer. Bicep integers are 64-bit; beyond 2^53 the value is approximate. */
export interface IntegerLiteral extends TextRange {
  kind: 'integer';
  value: number;
}

/** `true` or `false`. */
export interface BooleanLiteral extends TextRange {
  kind: 'boolean';
  value: boolean;
}

/** `null`. */
export interface NullLiteral extends TextRange {
  kind: 'null';
}

/** `@name(...)` or `@ns.name(...)` before a declaration, object type property or tuple item. */
export interface Decorator extends TextRange {
  kind: 'decorator';
  expression: Expression;
}

// ---- expressions ---------------------------------------------------------------------------

/** `{ ... }`, members separated by newlines or commas. */
export interface ObjectExpression extends TextRange {
  kind: 'object';
  properties: ObjectMember[];
}

/**
 * `key: value`. A plain-name key is its name (written from `start` to `start + key.length`, see
 * `keyRange`), not a node: keys are the most common leaves, and a node each would cost a fifth
 * of the tree. A quoted key is a string node.
 */
export interface ObjectProperty extends TextRange {
  kind: 'property';
  key: string | StringLiteral | InterpolatedString | ErrorNode;
  value: Expression;
}

/** What an object's braces hold: properties, spreads, and (in resource bodies) child resources. */
export type ObjectMember = ObjectProperty | SpreadExpression | ResourceDeclaration | ErrorNode;

/** `[ ... ]`, items separated by newlines or commas. */
export interface ArrayExpression extends TextRange {
  kind: 'array';
  items: (Expression | SpreadExpression)[];
}

/** `...expr` in an object or array. */
export interface SpreadExpression extends TextRange {
  kind: 'spread';
  expression: Expression;
}

/** `[for item in iterable: body]` or `[for (item, index) in iterable: body]`; a filter is an `if` body. */
export interface ForExpression extends TextRange {
  kind: 'for';
  item: Identifier | ErrorNode;
  index: Identifier | ErrorNode | null;
  iterable: Expression;
  body: Expression;
}

/** `if (condition) { ... }`: a conditional resource or module body, or a loop filter. */
export interface IfCondition extends TextRange {
  kind: 'if';
  condition: Expression;
  body: Expression;
}

/** `condition ? whenTrue : whenFalse`. */
export interface TernaryExpression extends TextRange {
  kind: 'ternary';
  condition: Expression;
  whenTrue: Expression;
  whenFalse: Expression;
}

/** Binary operators, from loosest to tightest: `??`, `||`, `&&`, equality, relational, additive, multiplicative. */
export type BinaryOperator =
  | '??' | '||' | '&&'
  | '==' | '!=' | '=~' | '!~'
  | '<' | '<=' | '>' | '>='
  | '+' | '-'
  | '*' | '/' | '%';

/** `left operator right`; chains nest to the left. */
export interface BinaryExpression extends TextRange {
  kind: 'binary';
  operator: BinaryOperator;
  left: Expression;
  right: Expression;
}

/** Prefix `!`, `-` or `+` (in types, only before a literal: `-1`). */
export interface UnaryExpression extends TextRange {
  kind: 'unary';
  operator: '!' | '-' | '+';
  operand: Expression;
}

/** Postfix `expr!`. */
export interface NonNullAssertion extends TextRange {
  kind: 'nonNull';
  expression: Expression;
}

/** `object.name`, or `object.?name` when `safe`. */
export interface PropertyAccess extends TextRange {
  kind: 'propertyAccess';
  object: Expression;
  name: Identifier | ErrorNode;
  safe: boolean;
}

/** `object[index]`; `[?index]` is `safe`, `[^index]` is `fromEnd`. */
export interface IndexAccess extends TextRange {
  kind: 'indexAccess';
  object: Expression;
  index: Expression;
  safe: boolean;
  fromEnd: boolean;
}

/** `parent::child`, access to a nested resource. */
export interface ResourceAccess extends TextRange {
  kind: 'resourceAccess';
  object: Expression;
  name: Identifier | ErrorNode;
}

/** `name(args)`, or `target.name(args)` for namespaced (`sys.concat`, `az.resourceGroup`) and instance calls. */
export interface CallExpression extends TextRange {
  kind: 'call';
  target: Expression | null;
  name: Identifier;
  arguments: Expression[];
}

/** `x => body` or `(a, b) => body`. */
export interface LambdaExpression extends TextRange {
  kind: 'lambda';
  parameters: (Identifier | ErrorNode)[];
  body: Expression;
}

/** `(expression)`. */
export interface ParenthesizedExpression extends TextRange {
  kind: 'parenthesized';
  expression: Expression;
}

/** Any expression. */
export type Expression =
  | Identifier
  | StringLiteral
  | InterpolatedString
  | IntegerLiteral
  | BooleanLiteral
  | NullLiteral
  | ObjectExpression
  | ArrayExpression
  | ForExpression
  | IfCondition
  | TernaryExpression
  | BinaryExpression
  | UnaryExpression
  | NonNullAssertion
  | PropertyAccess
  | IndexAccess
  | ResourceAccess
  | CallExpression
  | LambdaExpression
  | ParenthesizedExpression
  | ErrorNode;

// ---- types ---------------------------------------------------------------------------------

/** `{ name: type ... }`; a property whose `key` is null is the `*: type` matcher for other keys. */
export interface ObjectType extends TextRange {
  kind: 'objectType';
  properties: (ObjectTypeProperty | ErrorNode)[];
}

/** `name: type` in an object type, with its decorators. */
export interface ObjectTypeProperty extends TextRange {
  kind: 'objectTypeProperty';
  decorators: readonly Decorator[];
  key: Identifier | StringLiteral | InterpolatedString | ErrorNode | null;
  value: TypeExpression;
}

/** `[string, int]`. */
export interface TupleType extends TextRange {
  kind: 'tupleType';
  items: TupleTypeItem[];
}

/** One item of a tuple type, with its decorators. */
export interface TupleTypeItem extends TextRange {
  kind: 'tupleTypeItem';
  decorators: readonly Decorator[];
  value: TypeExpression;
}

/** `'a' | 'b'`. */
export interface UnionType extends TextRange {
  kind: 'unionType';
  members: TypeExpression[];
}

/** `item[]`. */
export interface ArrayType extends TextRange {
  kind: 'arrayType';
  item: TypeExpression;
}

/** `type?`. */
export interface NullableType extends TextRange {
  kind: 'nullableType';
  type: TypeExpression;
}

/** `type!`. */
export interface NonNullableType extends TextRange {
  kind: 'nonNullableType';
  type: TypeExpression;
}

/** `(type)`. */
export interface ParenthesizedType extends TextRange {
  kind: 'parenthesizedType';
  type: TypeExpression;
}

/** `resourceInput<'Microsoft.Network/networkSecurityGroups@2023-09-01'>`, or `target.name<...>`. */
export interface ParameterizedType extends TextRange {
  kind: 'parameterizedType';
  target: TypeExpression | null;
  name: Identifier;
  arguments: TypeExpression[];
}

/** `type.property` (also `namespace.type`). */
export interface TypePropertyAccess extends TextRange {
  kind: 'typePropertyAccess';
  object: TypeExpression;
  name: Identifier | ErrorNode;
}

/** `type[0]`. */
export interface TypeIndexAccess extends TextRange {
  kind: 'typeIndexAccess';
  object: TypeExpression;
  index: Expression;
}

/** `type[*]`: the items of an array type. */
export interface TypeItemsAccess extends TextRange {
  kind: 'typeItemsAccess';
  object: TypeExpression;
}

/** `type.*`: the additional properties of an object type. */
export interface TypeAdditionalPropertiesAccess extends TextRange {
  kind: 'typeAdditionalPropertiesAccess';
  object: TypeExpression;
}

/** `resource 'type@version'` as a param or output type; `type` is null for a bare `resource` output. */
export interface ResourceType extends TextRange {
  kind: 'resourceType';
  type: StringLiteral | InterpolatedString | ErrorNode | null;
}

/** Type references are identifiers; literal types reuse the literal expression nodes. */
export type TypeExpression =
  | Identifier
  | StringLiteral
  | InterpolatedString
  | IntegerLiteral
  | BooleanLiteral
  | NullLiteral
  | UnaryExpression
  | ObjectType
  | TupleType
  | UnionType
  | ArrayType
  | NullableType
  | NonNullableType
  | ParenthesizedType
  | ParameterizedType
  | TypePropertyAccess
  | TypeIndexAccess
  | TypeItemsAccess
  | TypeAdditionalPropertiesAccess
  | ResourceType
  | ErrorNode;

/** `(a string, b int) string => body`, the shape of a `func` declaration. */
export interface TypedLambda extends TextRange {
  kind: 'typedLambda';
  parameters: (TypedParameter | ErrorNode)[];
  returnType: TypeExpression;
  body: Expression;
}

/** `name type`, a parameter of a `func`. */
export interface TypedParameter extends TextRange {
  kind: 'typedParameter';
  name: Identifier | ErrorNode;
  type: TypeExpression;
}

// ---- statements ----------------------------------------------------------------------------

/** What every declaration has: its range and decorators. */
interface Declaration extends TextRange {
  decorators: readonly Decorator[];
}

/** `targetScope = 'subscription'`. */
export interface TargetScopeDeclaration extends Declaration {
  kind: 'targetScope';
  value: Expression;
}

/** `metadata name = value`. */
export interface MetadataDeclaration extends Declaration {
  kind: 'metadata';
  name: Identifier | ErrorNode;
  value: Expression;
}

/** `param name type = default` in Bicep; `param name = value` (type null) in `.bicepparam`. */
export interface ParameterDeclaration extends Declaration {
  kind: 'param';
  name: Identifier | ErrorNode;
  type: TypeExpression | null;
  value: Expression | null;
}

/** `var name = value`, or typed: `var name type = value`. */
export interface VariableDeclaration extends Declaration {
  kind: 'var';
  name: Identifier | ErrorNode;
  type: TypeExpression | null;
  value: Expression;
}

/** `type name = typeExpression`. */
export interface TypeDeclaration extends Declaration {
  kind: 'type';
  name: Identifier | ErrorNode;
  value: TypeExpression;
}

/** `value` is an object, an `IfCondition`, or a `ForExpression`. */
export interface ResourceDeclaration extends Declaration {
  kind: 'resource';
  name: Identifier | ErrorNode;
  type: StringLiteral | InterpolatedString | ErrorNode;
  existing: boolean;
  value: Expression;
}

/** `path` is a local path (`./nsg.bicep`) or a registry reference (`br:`, `br/public:`, `ts:`). */
export interface ModuleDeclaration extends Declaration {
  kind: 'module';
  name: Identifier | ErrorNode;
  path: StringLiteral | InterpolatedString | ErrorNode;
  value: Expression;
}

/** `output name type = value`. */
export interface OutputDeclaration extends Declaration {
  kind: 'output';
  name: Identifier | ErrorNode;
  type: TypeExpression;
  value: Expression;
}

/** `func name(params) returnType => body`. */
export interface FunctionDeclaration extends Declaration {
  kind: 'func';
  name: Identifier | ErrorNode;
  lambda: TypedLambda | ErrorNode;
}

/** `import {a, b as c} from 'x'` (`items`) or `import * as ns from 'x'` (`wildcardAlias`). */
export interface ImportDeclaration extends Declaration {
  kind: 'import';
  items: ImportItem[] | null;
  wildcardAlias: Identifier | ErrorNode | null;
  from: StringLiteral | InterpolatedString | ErrorNode;
}

/** `name` or `name as alias` in an import list. */
export interface ImportItem extends TextRange {
  kind: 'importItem';
  name: Identifier | StringLiteral | InterpolatedString | ErrorNode;
  alias: Identifier | ErrorNode | null;
}

/** `extension name`, `extension 'spec' with {...} as alias`. */
export interface ExtensionDeclaration extends Declaration {
  kind: 'extension';
  specification: Identifier | StringLiteral | InterpolatedString | ErrorNode;
  config: ObjectExpression | ErrorNode | null;
  alias: Identifier | ErrorNode | null;
}

/** `using './main.bicep'`; `path` is null for `using none`. */
export interface UsingDeclaration extends Declaration {
  kind: 'using';
  path: StringLiteral | InterpolatedString | ErrorNode | null;
  config: ObjectExpression | ErrorNode | null;
}

/** `extends './base.bicepparam'` in a `.bicepparam` file. */
export interface ExtendsDeclaration extends Declaration {
  kind: 'extends';
  path: StringLiteral | InterpolatedString | ErrorNode;
}

/** `extensionConfig alias with {...}` in a `.bicepparam` file. */
export interface ExtensionConfigDeclaration extends Declaration {
  kind: 'extensionConfig';
  name: Identifier | ErrorNode;
  config: ObjectExpression | ErrorNode;
}

/** `test name 'path' = {...}`. */
export interface TestDeclaration extends Declaration {
  kind: 'test';
  name: Identifier | ErrorNode;
  path: StringLiteral | InterpolatedString | ErrorNode;
  value: Expression;
}

/** `assert name = condition`. */
export interface AssertDeclaration extends Declaration {
  kind: 'assert';
  name: Identifier | ErrorNode;
  value: Expression;
}

/** Source that is not a declaration (skipped up to the next line that starts one). */
export interface ErrorStatement extends Declaration {
  kind: 'errorStatement';
}

/** A top-level statement. */
export type Statement =
  | TargetScopeDeclaration
  | MetadataDeclaration
  | ParameterDeclaration
  | VariableDeclaration
  | TypeDeclaration
  | ResourceDeclaration
  | ModuleDeclaration
  | OutputDeclaration
  | FunctionDeclaration
  | ImportDeclaration
  | ExtensionDeclaration
  | UsingDeclaration
  | ExtendsDeclaration
  | ExtensionConfigDeclaration
  | TestDeclaration
  | AssertDeclaration
  | ErrorStatement;

/** Every node of the tree. */
export type SyntaxNode =
  | Statement
  | Expression
  | TypeExpression
  | Decorator
  | ObjectProperty
  | SpreadExpression
  | ObjectTypeProperty
  | TupleTypeItem
  | TypedLambda
  | TypedParameter
  | ImportItem;

/** The `kind` of any node. */
export type SyntaxKind = SyntaxNode['kind'];
