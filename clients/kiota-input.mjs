// Writes the document Kiota generates the C# client from: the committed contract, plus every schema in
// components/schemas that no operation reaches (today the webhook events' data: ConsentChangedEvent and friends),
// handed to Kiota as OpenAPI 3.1 webhooks.
//
// Why: Kiota generates only the models that operations (and, from OpenAPI 3.1 on, webhooks) reach, and has no switch
// to generate the rest; an integrator parsing a webhook body needs those types too. A 3.0 document is labelled 3.1 for
// this: the C# Kiota makes from this contract is otherwise the same file for file (checked when this was written), and
// once the contract describes its events as webhooks itself, there is nothing left to add.
//
//   node clients/kiota-input.mjs <contract.json> <output.json>
import { readFileSync, writeFileSync } from "node:fs";

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error("usage: node clients/kiota-input.mjs <contract.json> <output.json>");
  process.exit(1);
}
const document = JSON.parse(readFileSync(input, "utf8"));
const schemas = document.components?.schemas ?? {};

/** Every `#/components/...` reference reachable from `roots`, following references into the components themselves. */
function reachable(roots) {
  const seen = new Set();
  const pending = [...roots];
  while (pending.length > 0) {
    const node = pending.pop();
    if (Array.isArray(node)) {
      pending.push(...node);
    } else if (node && typeof node === "object") {
      for (const [key, value] of Object.entries(node)) {
        if (key === "$ref" && typeof value === "string" && value.startsWith("#/components/") && !seen.has(value)) {
          seen.add(value);
          const [, , section, name] = value.split("/");
          pending.push(document.components?.[section]?.[decodeURIComponent(name)]);
        } else {
          pending.push(value);
        }
      }
    }
  }
  return seen;
}

const reached = reachable([document.paths ?? {}, document.webhooks ?? {}]);
const unreached = Object.keys(schemas).filter((name) => !reached.has(`#/components/schemas/${name}`));
if (unreached.length > 0) {
  if (document.openapi.startsWith("3.0")) {
    document.openapi = "3.1.0";
  }
  document.webhooks ??= {};
  for (const name of unreached) {
    document.webhooks[`contract-schema-${name}`] = {
      post: {
        summary: `Carries ${name} (added for client generation only).`,
        requestBody: { content: { "application/json": { schema: { $ref: `#/components/schemas/${name}` } } } },
        responses: { 200: { description: "Received." } },
      },
    };
  }
}
writeFileSync(output, JSON.stringify(document));
console.log(unreached.length > 0
  ? `Schemas no operation reaches, handed to Kiota as webhooks: ${unreached.join(", ")}`
  : "Every schema is reached by an operation or webhook.");
