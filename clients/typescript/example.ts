// A school board's integration, end to end, through the client generated with openapi-typescript and openapi-fetch:
// a school and its roster, a published consent form, a guardian's decision, what the record then says (matrix,
// history, the recorded decisions), a publication check, and a webhook body verified and parsed into the generated
// event type.
//
//   CONSENT_API_KEY=<organisation admin API key> npx tsx clients/typescript/example.ts <base URL> [--receive-webhooks]
//
// The key comes from the environment, not the command line, where any user of the machine could read it. With
// --receive-webhooks the example also subscribes a receiver on 127.0.0.1 and verifies the consent.changed delivery the
// API sends for the decision (the API must allow http and private addresses: Webhooks__AllowHttp and
// Webhooks__AllowPrivateNetworks, as on a developer's machine, never in production).
//
// Prints each step; exits 1 when the API refuses a call or answers other than the contract and the scenario say.
import { createHmac, randomBytes, randomInt, randomUUID } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import createClient, { type Client } from "openapi-fetch";
import { Webhook, WebhookVerificationError } from "standardwebhooks";
import {
  consentStateValues,
  mediaTypeValues,
  type ConsentChangedEvent,
  type ConsentChangedItem,
  type DecisionResponse,
  type PublicationCheckResponse,
  type paths,
  type webhooks,
} from "./generated/consent-api";

type Api = Client<paths>;

/**
 * The body of an event's delivery as the contract describes it, once it describes its events as OpenAPI webhooks
 * named by event type; until then anything (the sample below is then checked at run time only).
 */
type ContractWebhookBody<Event extends string> =
  webhooks extends Record<Event, { post: { requestBody?: { content: { "application/json": infer Body } } } }> ? Body : unknown;

/** The answer differs from what the scenario expects. */
class ScenarioError extends Error {}

/** The body of a successful answer; a refusal becomes a ScenarioError with the status and the problem. */
async function ok<T>(what: string, call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (error !== undefined || data === undefined) {
    throw new ScenarioError(`${what}: the API answered ${response.status} ${JSON.stringify(error)}`);
  }
  return data;
}

function expect<T>(actual: T, expected: T, what: string): void {
  if (actual !== expected) {
    throw new ScenarioError(`${what}: expected ${String(expected)}, got ${String(actual)}.`);
  }
}

function step(what: string): void {
  console.log(`  ok  ${what}`);
}

/**
 * A client that sends the key in X-Api-Key, and an Idempotency-Key with every POST, so that a creating call can be
 * retried safely where the API honours the header: a retry must send the same request, key included (this example does
 * not retry).
 */
function api(baseUrl: string, apiKey: string): Api {
  const client = createClient<paths>({ baseUrl: baseUrl.replace(/\/$/, ""), headers: { "X-Api-Key": apiKey } });
  client.use({
    onRequest({ request }) {
      if (request.method === "POST" && !request.headers.has("Idempotency-Key")) {
        request.headers.set("Idempotency-Key", randomUUID());
      }
      return request;
    },
  });
  return client;
}

/** The school year of today, as groups name it (August to July). */
function schoolYear(): string {
  const today = new Date();
  const start = today.getUTCMonth() >= 7 ? today.getUTCFullYear() : today.getUTCFullYear() - 1;
  return `${start}-${start + 1}`;
}

function describe(decisions: readonly DecisionResponse[]): string {
  return decisions.map((d) => `${d.mediaType}/${d.channel} ${d.outcome} by ${d.decidedBy} via ${d.method}`).join(", ");
}

async function check(client: Api, pupilId: string, channel: string): Promise<PublicationCheckResponse> {
  return ok(`publication check on ${channel}`,
    client.POST("/v1/publication-checks", { body: { pupilIds: [pupilId], mediaType: "photo", channel } }));
}

async function scenario(baseUrl: string, adminKey: string, receiveWebhooks: boolean): Promise<void> {
  const admin = api(baseUrl, adminKey);

  // 1. The admin adds a school and a key for the school's admin system, limited to that school.
  const letter = () => String.fromCharCode(65 + randomInt(26));
  const brinCode = `${String(randomInt(100)).padStart(2, "0")}${letter()}${letter()}`;
  const school = await ok("create school", admin.POST("/v1/schools", { body: { name: "OBS De Regenboog", brinCode } }));
  step(`created school ${school.id} (${brinCode})`);
  const created = await ok("create API client", admin.POST("/v1/api-clients", {
    body: {
      name: "ParnasSys koppeling",
      scopes: ["roster:read", "roster:write", "consent:read", "consent:write"],
      schoolIds: [school.id],
    },
  }));
  const system = api(baseUrl, created.apiKey);
  step(`created API client ${created.client.id} with scopes ${created.client.scopes.join(", ")}`);

  // 2. The admin system pushes its roster: a group, a pupil and her two parents.
  const roster = await ok("sync roster", system.PUT("/v1/schools/{schoolId}/roster", {
    params: { path: { schoolId: school.id } },
    body: {
      groups: [{ externalId: "G5B", name: "Groep 5b", schoolYear: schoolYear() }],
      pupils: [{
        externalId: "LL1001", displayName: "Sanne de Vries", dateOfBirth: "2018-03-14", groupExternalId: "G5B",
        guardians: [{ externalId: "OV2001", hasParentalAuthority: true }, { externalId: "OV2002", hasParentalAuthority: true }],
      }],
      guardians: [{ externalId: "OV2001", displayName: "Marieke de Vries" }, { externalId: "OV2002", displayName: "Joost de Vries" }],
    },
  }));
  expect(roster.pupils.created, 1, "pupils created by the roster sync");
  expect(roster.guardians.created, 2, "guardians created by the roster sync");
  const pupils = await ok("list pupils", system.GET("/v1/schools/{schoolId}/pupils", {
    params: { path: { schoolId: school.id }, query: { externalId: "LL1001" } },
  }));
  const listed = pupils.items[0];
  if (listed === undefined || pupils.items.length !== 1) {
    throw new ScenarioError(`expected one pupil LL1001, found ${pupils.items.length}.`);
  }
  const pupil = await ok("get pupil", system.GET("/v1/pupils/{pupilId}", { params: { path: { pupilId: listed.id } } }));
  expect(pupil.status, "active", "the pupil's status");
  const mother = pupil.guardians.find((g) => g.externalId === "OV2001");
  if (mother === undefined) {
    throw new ScenarioError("guardian OV2001 is not linked to the pupil.");
  }
  step(`synced the roster: pupil ${pupil.id} (${pupil.status}) with ${pupil.guardians.length} guardians`);

  // 3. The admin publishes a consent form asking for photos on social media and the website.
  const form = await ok("create form", admin.POST("/v1/consent-forms", {
    body: { name: "Toestemming beeldmateriaal", schoolId: school.id },
  }));
  await ok("create form version", admin.POST("/v1/consent-forms/{formId}/versions", {
    params: { path: { formId: form.id } },
    body: {
      textNl: "Wij vragen uw toestemming voor het publiceren van foto's van uw kind.",
      validity: "until-withdrawn",
      items: [{ mediaType: "photo", channel: "social-media" }, { mediaType: "photo", channel: "website" }],
    },
  }));
  const version = await ok("publish form version", admin.POST("/v1/consent-forms/{formId}/versions/{number}/publish", {
    params: { path: { formId: form.id, number: 1 } },
  }));
  expect(version.status, "published", "the version's status");
  step(`published form ${form.id} version ${version.number} (${version.contentHash})`);

  // With a receiver: the admin subscribes it to the school's consent.changed events before the parent answers.
  const receiver = receiveWebhooks ? await WebhookReceiver.start() : undefined;
  let secret = "";
  if (receiver !== undefined) {
    const webhook = await ok("create webhook", admin.POST("/v1/webhooks", {
      body: { url: receiver.url, eventTypes: ["consent.changed"], schoolId: school.id },
    }));
    secret = webhook.secret;
    step(`subscribed ${receiver.url} to consent.changed (webhook ${webhook.webhook.id})`);
  }

  // 4. A parent answers in the parents' app: yes to social media, no to the website.
  const recorded = await ok("record decisions", system.POST("/v1/pupils/{pupilId}/decisions", {
    params: { path: { pupilId: pupil.id } },
    body: {
      formVersionId: version.id,
      decidedBy: "guardian",
      guardianId: mother.guardianId,
      method: "parent-app",
      items: [
        { mediaType: "photo", channel: "social-media", outcome: "granted" },
        { mediaType: "photo", channel: "website", outcome: "refused" },
      ],
    },
  }));
  expect(recorded.decisions.length, 2, "decisions recorded");
  for (const decision of recorded.decisions) {
    expect(decision.method, "parent-app", "a recorded decision's method");
    expect(decision.decidedBy, "guardian", "a recorded decision's decider");
  }
  step(`recorded ${recorded.decisions.length} decisions: ${describe(recorded.decisions)}`);

  // 5. What the record says now: the matrix and the history.
  const matrix = await ok("consent matrix", system.GET("/v1/pupils/{pupilId}/consents", { params: { path: { pupilId: pupil.id } } }));
  const state = (channel: string) => matrix.items.find((i) => i.mediaType === "photo" && i.channel === channel)?.state;
  expect(state("social-media"), "granted", "photo on social media");
  expect(state("website"), "refused", "photo on the website");
  step(`consent matrix: ${matrix.items.map((i) => `${i.mediaType}/${i.channel}=${i.state}`).join(", ")}`);
  const history = await ok("consent history", system.GET("/v1/pupils/{pupilId}/consents/history", {
    params: { path: { pupilId: pupil.id } },
  }));
  expect(history.items.length, 2, "decisions in the history");
  step(`history: ${describe(history.items)}`);

  // 6. May the pupil appear in a photo on social media? On the website?
  const onSocial = await check(system, pupil.id, "social-media");
  const onWebsite = await check(system, pupil.id, "website");
  expect(onSocial.allowed, true, "a photo on social media allowed");
  expect(onWebsite.allowed, false, "a photo on the website allowed");
  step(`publication check: social-media allowed=${onSocial.allowed}, website allowed=${onWebsite.allowed} ` +
    `(${onWebsite.pupils[0]?.state}, ${onWebsite.pupils[0]?.reason})`);

  // 7. A consent.changed delivery as the API signs it, verified with Standard Webhooks and parsed.
  const sample = verifyAndParse(school.id, pupil.id);
  expect(sample.pupilId, pupil.id, "the sample event's pupil");
  step(`verified a sample webhook signature and parsed consent.changed: ${describeEvent(sample)}`);

  // 8. With a receiver: the delivery the API sent for the decision, verified and parsed the same way.
  if (receiver !== undefined) {
    try {
      const delivery = await receiver.next(30_000);
      const verified = new Webhook(secret).verify(delivery.body, delivery.headers);
      const changed = asConsentChangedEvent(asEnvelope(verified, "consent.changed").data);
      expect(changed.pupilId, pupil.id, "the delivered event's pupil");
      const newState = (channel: string) => changed.items.find((i) => i.mediaType === "photo" && i.channel === channel)?.newState;
      expect(newState("social-media"), "granted", "the delivered new state of photo on social media");
      expect(newState("website"), "refused", "the delivered new state of photo on the website");
      step(`received consent.changed ${delivery.headers["webhook-id"]} from the API, signature verified: ${describeEvent(changed)}`);
    } finally {
      await receiver.stop();
    }
  }
}

function describeEvent(event: ConsentChangedEvent): string {
  return `sequence ${event.sequence}, ${event.items.map((i) => `${i.mediaType}/${i.channel} ${i.oldState}→${i.newState}`).join(", ")}`;
}

interface Delivery {
  body: string;
  headers: Record<string, string>;
}

/** An HTTP endpoint on 127.0.0.1 that answers 204 to every POST and hands over what it received. */
class WebhookReceiver {
  private readonly deliveries: Delivery[] = [];
  private waiting: (() => void) | undefined;

  private constructor(private readonly server: ReturnType<typeof createServer>, readonly url: string) {}

  static async start(): Promise<WebhookReceiver> {
    let receiver: WebhookReceiver | undefined;
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        response.writeHead(204).end();
        receiver?.deliveries.push({ body: Buffer.concat(chunks).toString("utf8"), headers: webhookHeaders(request.headers) });
        receiver?.waiting?.();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    receiver = new WebhookReceiver(server, `http://127.0.0.1:${port}/consent-events`);
    return receiver;
  }

  async next(timeoutMs: number): Promise<Delivery> {
    const deadline = Date.now() + timeoutMs;
    while (this.deliveries.length === 0) {
      if (Date.now() >= deadline) {
        throw new ScenarioError(`no webhook delivery arrived at ${this.url} within ${timeoutMs / 1000} s.`);
      }
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.waiting = resolve;
        timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
      });
      clearTimeout(timer); // a pending timer would keep the process alive after the scenario ends
    }
    return this.deliveries.shift() as Delivery;
  }

  stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections(); // the API's dispatcher keeps its connection alive; close() alone would wait for it
    return closed;
  }
}

function webhookHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const single = (name: string) => {
    const value = headers[name];
    return Array.isArray(value) ? value.join(" ") : value ?? "";
  };
  return { "webhook-id": single("webhook-id"), "webhook-timestamp": single("webhook-timestamp"), "webhook-signature": single("webhook-signature") };
}

/**
 * Signs a consent.changed body the way the API's dispatcher does (Standard Webhooks: HMAC-SHA256 over
 * `{id}.{timestamp}.{body}` with the base64 part of the `whsec_` secret), verifies it with the standardwebhooks library as
 * a receiver would, checks that a changed body fails, and parses its `data` into the generated ConsentChangedEvent.
 */
function verifyAndParse(schoolId: string, pupilId: string): ConsentChangedEvent {
  const secret = `whsec_${randomBytes(32).toString("base64")}`;
  const id = randomUUID();
  const timestamp = Math.floor(Date.now() / 1000).toString();
  const data: ConsentChangedEvent = {
    pupilId,
    sequence: 1,
    items: [
      { mediaType: "photo", channel: "social-media", oldState: "pending", newState: "granted" },
      { mediaType: "photo", channel: "website", oldState: "pending", newState: "refused" },
    ],
  };
  const delivered: ContractWebhookBody<"consent.changed"> =
    { id, type: "consent.changed", timestamp: new Date().toISOString(), schoolId, data };
  const body = JSON.stringify(delivered);
  const key = Buffer.from(secret.slice("whsec_".length), "base64");
  const signature = `v1,${createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64")}`;
  const headers = { "webhook-id": id, "webhook-timestamp": timestamp, "webhook-signature": signature };

  const receiver = new Webhook(secret);
  const verified = receiver.verify(body, headers); // throws WebhookVerificationError when the signature does not match
  try {
    receiver.verify(body.replace("granted", "refused"), headers);
    throw new ScenarioError("a changed webhook body passed verification.");
  } catch (e) {
    if (!(e instanceof WebhookVerificationError)) {
      throw e;
    }
  }
  const changed = asConsentChangedEvent(asEnvelope(verified, "consent.changed").data);
  expect(changed.items.length, 2, "items in the event");
  expect(changed.items[0]?.newState, "granted", "the first item's new state");
  return changed;
}

/** The envelope every event shares: `{ id, type, timestamp, schoolId, data }`, of the expected type. */
function asEnvelope(value: unknown, type: string): { id: string; type: string; timestamp: string; schoolId: string | null; data: unknown } {
  if (!isRecord(value) || typeof value.id !== "string" || value.type !== type || typeof value.timestamp !== "string"
    || !(typeof value.schoolId === "string" || value.schoolId === null) || !("data" in value)) {
    throw new ScenarioError(`the verified body is not a ${type} event: ${JSON.stringify(value)}`);
  }
  return { id: value.id, type: value.type, timestamp: value.timestamp, schoolId: value.schoolId, data: value.data };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function oneOf<T extends string>(values: readonly T[], value: unknown): value is T {
  return typeof value === "string" && (values as readonly string[]).includes(value);
}

/** Parses `data` of consent.changed, checking each member and enum value against the generated contract. */
function asConsentChangedEvent(value: unknown): ConsentChangedEvent {
  const invalid = (why: string) => new ScenarioError(`consent.changed data ${why}: ${JSON.stringify(value)}`);
  if (!isRecord(value) || typeof value.pupilId !== "string" || typeof value.sequence !== "number" || !Array.isArray(value.items)) {
    throw invalid("lacks pupilId, sequence or items");
  }
  const items = value.items.map((item: unknown): ConsentChangedItem => {
    if (!isRecord(item) || typeof item.channel !== "string" || !oneOf(mediaTypeValues, item.mediaType)
      || !oneOf(consentStateValues, item.oldState) || !oneOf(consentStateValues, item.newState)) {
      throw invalid("has an item the contract does not allow");
    }
    return { mediaType: item.mediaType, channel: item.channel, oldState: item.oldState, newState: item.newState };
  });
  return { pupilId: value.pupilId, sequence: value.sequence, items };
}

async function main(): Promise<number> {
  const [baseUrl, ...options] = process.argv.slice(2);
  const adminKey = process.env.CONSENT_API_KEY;
  if (baseUrl === undefined || !adminKey || options.some((o) => o !== "--receive-webhooks")) {
    console.error("usage: CONSENT_API_KEY=<organisation admin API key> tsx clients/typescript/example.ts <base URL> [--receive-webhooks]");
    return 2;
  }
  try {
    await scenario(baseUrl, adminKey, options.includes("--receive-webhooks"));
    console.log("TypeScript client example: every step passed.");
    return 0;
  } catch (e) {
    console.error(`FAILED: ${e instanceof Error ? e.message : String(e)}`);
    if (!(e instanceof ScenarioError) && e instanceof Error) {
      console.error(e.stack);
    }
    return 1;
  }
}

main().then((code) => { process.exitCode = code; });
