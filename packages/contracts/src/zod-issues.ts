/** What zod 3 and zod 4 issues both carry. */
export interface IssueLike {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/**
 * One validation problem as `where: message`, so a client or an operator can find it: `where` is the issue's
 * dotted path, or `whole` when the issue is about the value itself.
 */
export function describeIssue(issue: IssueLike, whole: string): string {
  return `${issue.path.map(String).join('.') || whole}: ${issue.message}`;
}

/** Every issue of a failed parse, each as `describeIssue` spells it. */
export function describeIssues(issues: readonly IssueLike[], whole: string): string[] {
  return issues.map((issue) => describeIssue(issue, whole));
}
