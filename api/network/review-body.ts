/** The networking.warden.dev/v1 review kinds and the metadata their answers echo. */
export const reviewGroup = 'networking.warden.dev';
export const reviewVersion = 'v1';
export const reviewApiVersion = `${reviewGroup}/${reviewVersion}`;

/** The review's metadata as echoed in the answer, stamped with the revision the answer reflects. */
export function answerMetadata(metadata: Record<string, unknown> | undefined, revision: number): Record<string, unknown> {
  return { ...(metadata ?? {}), resourceVersion: String(revision) };
}
