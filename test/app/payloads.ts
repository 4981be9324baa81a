// Real webhook payloads from @octokit/webhooks-examples, adapted to a test repository and
// checked against @octokit/webhooks-schemas, so handlers see what GitHub really sends.
import { createRequire } from "node:module";
import { Ajv, type ValidateFunction } from "ajv";

const require = createRequire(import.meta.url);
interface Example {
  name: string;
  examples: Record<string, unknown>[];
}
const examples = require("@octokit/webhooks-examples/api.github.com/index.json") as Example[];
const schema = require("@octokit/webhooks-schemas/schema.json") as { $schema: string; definitions: Record<string, unknown> };

// The schema's root is a oneOf over every event, and resolving any "webhooks#/definitions/x"
// compiles the root first: seconds per test file. Only the definitions are added, and each event's
// validator is compiled the first time a payload of that event is built (the same checks).
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, logger: false });
ajv.addSchema({ $schema: schema.$schema, definitions: schema.definitions }, "webhooks");
const validators = new Map<string, ValidateFunction>();

function validatorOf(definition: string): ValidateFunction {
  let validate = validators.get(definition);
  if (!validate) {
    validate = ajv.getSchema(`webhooks#/definitions/${definition}`);
    if (!validate) throw new Error(`@octokit/webhooks-schemas has no definition ${definition}`);
    validators.set(definition, validate);
  }
  return validate;
}

export const owner = "acme";
export const repo = "gitops";
export const installationId = 4242;
export const appSlug = "kustodian";
export const botLogin = `${appSlug}[bot]`;

// Webhook example payloads are deep, loosely shaped JSON; tests read fields by name and the schema check validates them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

function example(name: string, match: (e: Json) => boolean): Json {
  const found = examples.find((e) => e.name === name)?.examples.find((e) => match(e as Json));
  if (!found) throw new Error(`no ${name} example matches`);
  return structuredClone(found) as Json;
}

/** Validates a built payload against the definition GitHub's schema gives that event and action. */
export function validated<T extends Json>(definition: string, payload: T): T {
  const validate = validatorOf(definition);
  if (!validate(payload))
    throw new Error(`built ${definition} payload does not match @octokit/webhooks-schemas: ${ajv.errorsText(validate.errors)}`);
  return payload;
}

function retarget(payload: Json): Json {
  const r = payload.repository;
  r.name = repo;
  r.full_name = `${owner}/${repo}`;
  r.owner.login = owner;
  r.default_branch = "main";
  r.master_branch = "main";
  payload.installation = { id: installationId, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNDI0Mg==" };
  return payload;
}

export interface PullRequestOptions {
  action: "opened" | "reopened" | "synchronize" | "ready_for_review" | "closed";
  /** closed: whether it was merged, and the merge commit. */
  merged?: boolean;
  mergeCommitSha?: string;
  number?: number;
  headSha: string;
  baseSha: string;
  headRef?: string;
  fork?: boolean;
  sender?: { login: string; type: "User" | "Bot" };
  title?: string;
}

export function pullRequestEvent(o: PullRequestOptions): Json {
  const p = retarget(example("pull_request", (e) => e.action === "synchronize" && e.installation));
  p.action = o.action;
  const number = o.number ?? 7;
  p.number = number;
  const pr = p.pull_request;
  pr.number = number;
  pr.title = o.title ?? "Bump wordpress in staging to 6.7.1";
  pr.state = o.action === "closed" ? "closed" : "open";
  pr.merged = o.action === "closed" && o.merged === true;
  if (o.action === "closed") {
    pr.closed_at = "2026-01-01T00:00:00Z";
    pr.merged_at = pr.merged ? "2026-01-01T00:00:00Z" : null;
    pr.merge_commit_sha = o.mergeCommitSha ?? null;
  }
  pr.draft = false;
  pr.head.sha = o.headSha;
  pr.head.ref = o.headRef ?? "bump-wordpress";
  pr.head.label = `${owner}:${pr.head.ref}`;
  pr.base.sha = o.baseSha;
  pr.base.ref = "main";
  pr.base.repo = structuredClone(p.repository);
  pr.head.repo = structuredClone(p.repository);
  if (o.fork) {
    pr.head.repo.full_name = `outsider/${repo}`;
    pr.head.repo.owner.login = "outsider";
    pr.head.repo.fork = true;
    pr.head.repo.id = pr.base.repo.id + 1;
    pr.head.label = `outsider:${pr.head.ref}`;
  }
  if (o.sender) {
    p.sender.login = o.sender.login;
    p.sender.type = o.sender.type;
  }
  if (o.action === "synchronize") {
    p.before = o.baseSha;
    p.after = o.headSha;
  } else {
    delete p.before;
    delete p.after;
  }
  return validated(`pull_request$${o.action}`, p);
}

export interface CommentOptions {
  body: string;
  number?: number;
  user?: string;
  userType?: "User" | "Bot";
  commentId?: number;
  /** false: the comment is on a plain issue, not a pull request. */
  onPullRequest?: boolean;
}

/** GitHub sends PR conversation comments as issue_comment with issue.pull_request set; the examples have none. */
export function issueCommentEvent(o: CommentOptions): Json {
  const p = retarget(example("issue_comment", (e) => e.action === "created" && e.installation));
  const number = o.number ?? 7;
  p.issue.number = number;
  p.issue.state = "open";
  if (o.onPullRequest !== false) {
    p.issue.pull_request = {
      url: `https://api.github.com/repos/${owner}/${repo}/pulls/${number}`,
      html_url: `https://github.com/${owner}/${repo}/pull/${number}`,
      diff_url: `https://github.com/${owner}/${repo}/pull/${number}.diff`,
      patch_url: `https://github.com/${owner}/${repo}/pull/${number}.patch`,
      merged_at: null,
    };
  }
  p.comment.id = o.commentId ?? 9001;
  p.comment.body = o.body;
  p.comment.user.login = o.user ?? "octo-writer";
  p.comment.user.type = o.userType ?? "User";
  p.comment.html_url = `https://github.com/${owner}/${repo}/pull/${number}#issuecomment-${p.comment.id}`;
  p.sender.login = o.user ?? "octo-writer";
  p.sender.type = o.userType ?? "User";
  return validated("issue_comment$created", p);
}

export interface PushOptions {
  /** The branch head before and after the push. */
  before: string;
  after: string;
  message: string;
  /** ISO 8601 commit time. */
  timestamp: string;
  ref?: string;
  pusher?: string;
}

/**
 * A push to an existing branch (a merge landing on main). The examples only create branches and
 * tags, so this starts from the branch-creating push that carries an installation, then says
 * what GitHub says for an update: created false, before = the old head, the compare URL.
 */
export function pushEvent(o: PushOptions): Json {
  const p = retarget(example("push", (e) => e.ref.startsWith("refs/heads/") && e.installation && e.head_commit));
  p.ref = o.ref ?? "refs/heads/main";
  p.before = o.before;
  p.after = o.after;
  p.created = false;
  p.deleted = false;
  p.forced = false;
  p.base_ref = null;
  p.compare = `https://github.com/${owner}/${repo}/compare/${o.before.slice(0, 12)}...${o.after.slice(0, 12)}`;
  const head = p.head_commit;
  head.id = o.after;
  head.message = o.message;
  head.timestamp = o.timestamp;
  head.url = `https://github.com/${owner}/${repo}/commit/${o.after}`;
  head.added = [];
  head.removed = [];
  head.modified = [];
  p.commits = [structuredClone(head)];
  if (o.pusher) {
    p.pusher = { name: o.pusher, email: null };
    p.sender.login = o.pusher;
  }
  return validated("push$event", p);
}

export interface DeploymentStatusOptions {
  deploymentId: number;
  environment: string;
  sha: string;
  state: string;
  description: string;
  statusId: number;
  sender?: string;
  /** Who created the Deployment (the app's bot for kustodian's own); default the example's user. */
  creator?: string;
}

/** A deployment_status.created, as GitHub sends it when a Deployment gets a status. */
export function deploymentStatusEvent(o: DeploymentStatusOptions): Json {
  const p = retarget(example("deployment_status", (e) => e.action === "created"));
  // The example predates fields GitHub's schema now requires of a repository.
  p.repository = {
    is_template: false,
    web_commit_signoff_required: false,
    topics: [],
    visibility: "public",
    custom_properties: {},
    ...p.repository,
  };
  p.deployment.id = o.deploymentId;
  p.deployment.environment = o.environment;
  p.deployment.sha = o.sha;
  p.deployment.ref = o.sha;
  p.deployment_status.id = o.statusId;
  p.deployment_status.state = o.state;
  p.deployment_status.description = o.description;
  p.deployment_status.environment = o.environment;
  if (o.sender) p.sender.login = o.sender;
  if (o.creator) {
    p.deployment.creator.login = o.creator;
    p.deployment.creator.type = o.creator.endsWith("[bot]") ? "Bot" : "User";
  }
  return validated("deployment_status$created", p);
}
