// What a pull request event needs to know from GitHub besides its files, in ONE GraphQL request
// (aliases reach two repositories in one query): the app's configuration file (the repository's
// own, else the organisation's `.github` repository's, as Probot's config convention finds it),
// the pull request's comments (where the sticky plan comment is), whether the head branch is
// protected (the write boundary), the open issues with a label (the `/freeze` records), and a few
// small files at given commits (the layout file at the head and the base), which go into the blob
// cache so the file reads that follow find them there. Each used to be its own REST call.
import { blobCache as defaultBlobCache, type BlobCache } from "./blob-cache.ts";
import type { GitHubClient, RepoRef } from "./client.ts";
import { graphqlErrorsOf } from "./http-error.ts";
import type { IssueRecord } from "./issues.ts";
import type { ListedComment } from "./sticky-comments.ts";

export interface PullRequestContextRequest {
  repo: RepoRef;
  /** The pull request whose comments are read. */
  number: number;
  /** Read from the default branch of the repository, else of the organisation's `.github` repository. */
  configPath: string;
  /** The head branch whose protection is asked; not asked when absent. */
  headRef?: string;
  /** Open issues with this label are listed (the newest 100); none when absent. */
  issueLabel?: string;
  /** Files read at each commit (`<sha>:<path>`) into the blob cache; a file that does not exist costs nothing. */
  prefetch?: { commits: readonly string[]; paths: readonly string[] };
  /** Defaults to the process-wide cache. */
  cache?: BlobCache;
  /** A config file or prefetched file larger than this is not taken (the normal reads refuse it with its path). Default 1 MiB. */
  maxFileBytes?: number;
}

export type ConfigFile = { repo: string; text: string } | { repo: string; unreadable: string };

export interface PullRequestContext {
  /** The configuration file and the repository it came from; undefined when neither repository has one. */
  config: ConfigFile | undefined;
  /** Every comment of the pull request, oldest first, in the REST API's shape (a bot's login ends in `[bot]`). */
  comments: ListedComment[];
  /** Whether the head branch is protected (a branch that does not exist counts as protected); undefined when not asked. */
  headProtected: boolean | undefined;
  /** Open issues with `issueLabel`, newest first, in the shape of src/github/issues.ts. */
  issues: IssueRecord[];
}

/** Comments per page (GitHub's most). A pull request with more costs one more request per 100. */
const commentsPerPage = 100;

interface BlobNode {
  oid?: string;
  text?: string | null;
  isBinary?: boolean;
  isTruncated?: boolean;
  byteSize?: number;
}

interface ActorNode {
  __typename?: string;
  login?: string;
}

interface CommentNode {
  fullDatabaseId?: string | number | null;
  databaseId?: number | null;
  url?: string;
  body?: string;
  author?: ActorNode | null;
}

interface CommentsNode {
  pageInfo?: { hasNextPage?: boolean; endCursor?: string | null };
  nodes?: (CommentNode | null)[] | null;
}

interface IssueNode {
  number: number;
  title: string;
  body?: string | null;
  url: string;
  createdAt: string;
  author?: ActorNode | null;
}

interface ContextData {
  repository?: {
    config?: BlobNode | null;
    pullRequest?: { comments?: CommentsNode | null } | null;
    head?: { refUpdateRule?: { pattern?: string } | null } | null;
    issues?: { nodes?: (IssueNode | null)[] | null } | null;
    [alias: string]: unknown;
  } | null;
  org?: { config?: BlobNode | null } | null;
}

const blobFields = "... on Blob { oid text isBinary isTruncated byteSize }";
const commentFields = "pageInfo { hasNextPage endCursor } nodes { fullDatabaseId url body author { __typename login } }";

/** The context query for `prefetchCount` prefetched files (`p0` ... as aliases and variables), with or without the head's protection and the issues. */
export function pullRequestContextQuery(options: { prefetchCount: number; headRef: boolean; issues: boolean }): string {
  const declarations = [
    "$owner: String!",
    "$name: String!",
    "$number: Int!",
    "$config: String!",
    ...(options.headRef ? ["$headRef: String!"] : []),
    ...(options.issues ? ["$label: String!"] : []),
    ...Array.from({ length: options.prefetchCount }, (_, i) => `$p${i}: String!`),
  ];
  const fields = [
    `config: object(expression: $config) { ${blobFields} }`,
    `pullRequest(number: $number) { comments(first: ${commentsPerPage}) { ${commentFields} } }`,
    ...(options.headRef ? ["head: ref(qualifiedName: $headRef) { refUpdateRule { pattern } }"] : []),
    ...(options.issues
      ? [
          "issues(first: 100, states: OPEN, labels: [$label], orderBy: { field: CREATED_AT, direction: DESC }) { nodes { number title body url createdAt author { __typename login } } }",
        ]
      : []),
    ...Array.from({ length: options.prefetchCount }, (_, i) => `p${i}: object(expression: $p${i}) { ${blobFields} }`),
  ];
  return [
    `query kustodianPullRequestContext(${declarations.join(", ")}) {`,
    `  repository(owner: $owner, name: $name) { ${fields.join(" ")} }`,
    `  org: repository(owner: $owner, name: ".github") { config: object(expression: $config) { ${blobFields} } }`,
    "}",
  ].join("\n");
}

/** The next page of a pull request's comments (only for a pull request with more than 100). */
export const pullRequestCommentsQuery = `query kustodianPullRequestComments($owner: String!, $name: String!, $number: Int!, $after: String!) {
  repository(owner: $owner, name: $name) { pullRequest(number: $number) { comments(first: ${commentsPerPage}, after: $after) { ${commentFields} } } }
}`;

/**
 * ONE GraphQL request (plus one per further 100 comments of a pull request with more than 100).
 *
 * The organisation's `.github` repository may not exist: GitHub then answers that alias with null
 * and a NOT_FOUND error, which is read as "no configuration there". Any other error is rethrown.
 */
export async function readPullRequestContext(octokit: GitHubClient, request: PullRequestContextRequest): Promise<PullRequestContext> {
  const cache = request.cache ?? defaultBlobCache;
  const maxFileBytes = request.maxFileBytes ?? 1024 * 1024;
  const prefetch = (request.prefetch?.commits ?? []).flatMap((commit) =>
    (request.prefetch?.paths ?? []).map((path) => `${commit}:${path}`),
  );
  const variables: Record<string, string | number> = {
    owner: request.repo.owner,
    name: request.repo.repo,
    number: request.number,
    config: `HEAD:${request.configPath}`,
    ...(request.headRef === undefined ? {} : { headRef: `refs/heads/${request.headRef}` }),
    ...(request.issueLabel === undefined ? {} : { label: request.issueLabel }),
  };
  prefetch.forEach((expression, i) => (variables[`p${i}`] = expression));
  const query = pullRequestContextQuery({
    prefetchCount: prefetch.length,
    headRef: request.headRef !== undefined,
    issues: request.issueLabel !== undefined,
  });

  let data: ContextData;
  try {
    data = await octokit.graphql<ContextData>(query, variables);
  } catch (error) {
    data = partialDataWithoutOrg(error);
  }
  const repository = data.repository;
  if (!repository) throw new Error(`GitHub returned no repository ${request.repo.owner}/${request.repo.repo}`);

  for (let i = 0; i < prefetch.length; i++) {
    const node = repository[`p${i}`] as BlobNode | null | undefined;
    // Only readable text goes into the cache; anything else is read again by the file read, which refuses it with its path.
    if (node?.oid && typeof node.text === "string" && !node.isBinary && !node.isTruncated && (node.byteSize ?? 0) <= maxFileBytes)
      cache.set(node.oid, node.text);
  }

  const comments = commentsOf(repository.pullRequest?.comments);
  let page = repository.pullRequest?.comments?.pageInfo;
  while (page?.hasNextPage && page.endCursor) {
    const next = await octokit.graphql<ContextData>(pullRequestCommentsQuery, {
      owner: request.repo.owner,
      name: request.repo.repo,
      number: request.number,
      after: page.endCursor,
    });
    comments.push(...commentsOf(next.repository?.pullRequest?.comments));
    page = next.repository?.pullRequest?.comments?.pageInfo;
  }

  return {
    config: configOf(request.repo.repo, repository.config, maxFileBytes) ?? configOf(".github", data.org?.config, maxFileBytes),
    comments,
    // No such branch (null): nothing kustodian may push to, as a 404 of GET /branches says.
    headProtected: request.headRef === undefined ? undefined : repository.head == null || repository.head.refUpdateRule != null,
    issues: (repository.issues?.nodes ?? []).flatMap((i) =>
      i
        ? [
            {
              number: i.number,
              title: i.title,
              body: i.body ?? "",
              url: i.url,
              author: restActor(i.author),
              createdAt: i.createdAt,
            },
          ]
        : [],
    ),
  };
}

/** The answer without the organisation's `.github` repository when that is the only thing GitHub could not find. */
function partialDataWithoutOrg(error: unknown): ContextData {
  const errors = graphqlErrorsOf(error);
  const data = (error as { data?: ContextData }).data;
  const onlyOrgMissing = errors.length > 0 && errors.every((e) => e.type === "NOT_FOUND" && e.path?.[0] === "org");
  if (!onlyOrgMissing || !data?.repository) throw error;
  return { ...data, org: null };
}

function configOf(repo: string, node: BlobNode | null | undefined, maxFileBytes: number): ConfigFile | undefined {
  if (!node || node.isBinary === undefined) return undefined;
  if (node.isBinary) return { repo, unreadable: "is a binary file" };
  if (node.isTruncated || typeof node.text !== "string" || (node.byteSize ?? 0) > maxFileBytes)
    return { repo, unreadable: `is ${node.byteSize ?? "too many"} bytes, more than the ${maxFileBytes} kustodian reads` };
  return { repo, text: node.text };
}

function commentsOf(connection: CommentsNode | null | undefined): ListedComment[] {
  return (connection?.nodes ?? []).flatMap((c) => {
    const id = Number(c?.fullDatabaseId ?? c?.databaseId);
    if (!c || !Number.isSafeInteger(id) || typeof c.url !== "string") return [];
    return [{ id, html_url: c.url, ...(typeof c.body === "string" ? { body: c.body } : {}), user: restActor(c.author) }];
  });
}

/**
 * An author as the REST API shows it: GraphQL names a GitHub App's bot `kustodian` (typename
 * Bot) where REST says `kustodian[bot]` (type Bot), and the rest of kustodian compares REST logins.
 */
function restActor(actor: ActorNode | null | undefined): { login: string; type: string } | null {
  if (!actor?.login) return null;
  const type = actor.__typename === "Bot" ? "Bot" : actor.__typename === "Organization" ? "Organization" : "User";
  return { login: type === "Bot" && !actor.login.endsWith("[bot]") ? `${actor.login}[bot]` : actor.login, type };
}
