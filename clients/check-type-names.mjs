// Fails when the generated clients carry type names an integrator should never see: names that differ only by a
// trailing number (Status, Status2), names a generator made up for an inline schema (Kiota's
// CreateWebhookRequest_eventTypes, GetStatusQueryParameterType), or one model or enum name for several types. Each is
// an enum or object the contract leaves inline or names twice; the fix belongs in the contract, as a named component.
//
//   node clients/check-type-names.mjs <openapi-typescript output .ts> <Kiota output directory>
//
// Exit code 0 when every name is clean, 2 when some are not (they are listed), 1 when the input cannot be read.
import { readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";

const [tsFile, csDirectory] = process.argv.slice(2);
if (!tsFile || !csDirectory) {
  console.error("usage: node clients/check-type-names.mjs <generated .ts> <generated C# directory>");
  process.exit(1);
}

/**
 * The names openapi-typescript emitted: the members of `components.schemas`, the exported root types, and the arrays of
 * enum values (`consentStateValues` for the named ConsentState; an inline enum gets a name made of where it sits).
 */
function typeScriptNames(file) {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, false);
  const names = [];
  for (const statement of source.statements) {
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        names.push({ name: declaration.name.getText(source), where: "enum values" });
      }
    }
    if (ts.isTypeAliasDeclaration(statement)) {
      names.push({ name: statement.name.text, where: "root type" });
    }
    if (ts.isInterfaceDeclaration(statement) && statement.name.text === "components") {
      const schemas = statement.members.find((m) => m.name?.getText(source) === "schemas");
      for (const member of schemas?.type?.members ?? []) {
        names.push({ name: member.name.getText(source).replace(/^["']|["']$/g, ""), where: "components.schemas" });
      }
    }
  }
  return names.filter((n) => !["paths", "webhooks", "components", "$defs", "operations"].includes(n.name));
}

/** Every class and enum Kiota emitted, with the file it sits in. */
function cSharpNames(directory) {
  const names = [];
  const declaration = /^\s*(?:public|internal)\s+(?:partial\s+)?(class|enum)\s+(\w+)/gm;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(path);
      } else if (entry.name.endsWith(".cs")) {
        for (const match of readFileSync(path, "utf8").matchAll(declaration)) {
          names.push({ name: match[2], kind: match[1], where: relative(directory, path) });
        }
      }
    }
  };
  walk(directory);
  return names;
}

/** Names that differ from another name only by a trailing number: Status2 next to Status, or Scopes2 next to Scopes3. */
function numbered(names) {
  const all = new Set(names.map((n) => n.name));
  const stems = new Map();
  for (const { name } of names) {
    const stem = /^(.*\D)\d+$/.exec(name)?.[1];
    if (stem) {
      stems.set(stem, (stems.get(stem) ?? 0) + 1);
    }
  }
  return names.filter(({ name }) => {
    const stem = /^(.*\D)\d+$/.exec(name)?.[1];
    return stem !== undefined && (all.has(stem) || stems.get(stem) > 1);
  });
}

const findings = [];
const report = (client, reason, list) => {
  for (const n of list) {
    findings.push(`${client}: ${n.name} (${reason}; ${n.where})`);
  }
};

const typeScript = typeScriptNames(tsFile);
const schemaNames = new Set(typeScript.filter((n) => n.where === "components.schemas").map((n) => n.name));
const enumValues = typeScript.filter((n) => n.where === "enum values");
const types = typeScript.filter((n) => n.where !== "enum values");
report("TypeScript", "differs from another name only by a trailing number", numbered(types));
report("TypeScript", "a made-up name for an inline schema", types.filter((n) => n.name.includes("_")));
report("TypeScript", "the values of an inline enum, named after where it sits", enumValues.filter((n) =>
  !schemaNames.has(n.name.replace(/Values$/, "").replace(/^./, (c) => c.toUpperCase()))));

const cSharp = cSharpNames(csDirectory);
// Request builders follow the URL's segments, so /schools/{id}/pupils and /guardians/{id}/pupils rightly share a name
// in different namespaces; models and enums are the contract's types and each must have one name of its own.
const contractTypes = cSharp.filter((n) => n.kind === "enum" || n.where.startsWith("Models/") || n.where.startsWith("Models\\"));
report("C#", "differs from another name only by a trailing number", numbered(cSharp));
report("C#", "Kiota's name for an inline schema (Parent_property)", cSharp.filter((n) => n.name.includes("_")));
report("C#", "Kiota's name for an inline query-parameter enum", cSharp.filter((n) => n.name.endsWith("QueryParameterType")));
const counts = new Map();
for (const n of contractTypes) {
  counts.set(n.name, (counts.get(n.name) ?? 0) + 1);
}
report("C#", "one name for several types", contractTypes.filter((n) => counts.get(n.name) > 1 && !n.name.endsWith("QueryParameterType")));

console.log(`Checked ${typeScript.length} TypeScript names (schemas, root types, enum values) and ${cSharp.length} C# class and enum names.`);
if (findings.length > 0) {
  console.error(`Generation produced ${findings.length} duplicate, numbered or made-up type name(s). Give each inline ` +
    "enum or object its own named component in the contract (components/schemas) and reference it:");
  for (const finding of [...new Set(findings)].sort()) {
    console.error(`  ${finding}`);
  }
  process.exit(2);
}
