/**
 * The offers open to a young person of a given age who lives in a given area, one line per offer:
 *
 *     node dist/offers.js <base-url> <age> <area>
 *     node dist/offers.js http://127.0.0.1:8000 19 E10000017
 *
 * `area` is the ONS GSS code of where they live (E10000017 for Lancashire, E07000117 for Burnley); the
 * registry adds national and remote offers. Each line is tab-separated: title, organisation, age range.
 *
 * Every type here comes from the registry's OpenAPI contract (`npm run generate`), so a change to the
 * contract that would break this program fails `npm run check` instead of failing at run time.
 */
import createClient from "openapi-fetch";
import type { components, paths } from "../generated/registry.js";

type Offer = components["schemas"]["CommitmentPublic"];
type Problem = components["schemas"]["Problem"] | components["schemas"]["ValidationProblem"];
type OfferQuery = NonNullable<paths["/v1/commitments"]["get"]["parameters"]["query"]>;

function usage(message: string): never {
  console.error(`${message}\nusage: node dist/offers.js <base-url> <age> <area>`);
  process.exit(2);
}

/** Print the problem the registry answered with, then stop with a failure status. */
function fail(response: Response, problem: Problem | undefined): never {
  // The contract promises application/problem+json, but a proxy in front of the registry, or a wrong
  // base URL, can answer with an empty or non-JSON body: openapi-fetch then hands over undefined or text.
  if (typeof problem === "object") {
    // `detail` already names each invalid parameter, so the `errors` list of a 422 adds nothing here.
    console.error(`${response.status} ${problem.title}: ${problem.detail}`);
    console.error(`  request id ${problem.request_id}`);
  } else {
    console.error(`${response.status} ${response.statusText} from ${response.url}`);
  }
  process.exit(1);
}

/** fetch rejects only when there is no HTTP answer at all: refused, unknown host, TLS. */
function unreachable(reason: unknown): never {
  // Node's "fetch failed" says nothing by itself; the cause names the address and what went wrong.
  const cause = reason instanceof Error && reason.cause !== undefined ? ` (${String(reason.cause)})` : "";
  console.error(`cannot reach the registry: ${String(reason)}${cause}`);
  process.exit(1);
}

function describe(offer: Offer): string {
  const { min_age, max_age } = offer.eligibility;
  return [offer.title, offer.signatory.name, `ages ${min_age}-${max_age}`].join("\t");
}

const [baseUrl, ageText, area] = process.argv.slice(2);
if (baseUrl === undefined || ageText === undefined || area === undefined) {
  usage("three arguments are needed");
}
// Only the shape is checked here; the registry judges the range and the area code, and says why in its problem.
if (!/^\d+$/.test(ageText)) {
  usage(`age must be a whole number, not ${JSON.stringify(ageText)}`);
}

const client = createClient<paths>({ baseUrl });
const query: OfferQuery = { age: Number(ageText), area };
let pages = 0;
let offers = 0;
for (;;) {
  const { data, error, response } = await client.GET("/v1/commitments", { params: { query } }).catch(unreachable);
  // Test `data`, not `error`: an error answer with an empty body leaves `error` undefined too.
  if (data === undefined) {
    fail(response, error);
  }
  pages += 1;
  for (const offer of data.items) {
    console.log(describe(offer));
    offers += 1;
  }
  if (data.next_cursor === null) {
    break;
  }
  query.cursor = data.next_cursor;
}
console.error(`${offers} offers in ${pages} pages`);
