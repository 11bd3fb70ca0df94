/** Store outcomes a caller must handle: the API turns them into kube Status objects. */
export type StoreErrorReason = 'NotFound' | 'AlreadyExists' | 'Conflict';

export class StoreError extends Error {
  constructor(
    readonly reason: StoreErrorReason,
    readonly kind: string,
    readonly objectName: string,
    readonly namespace?: string,
    detail?: string,
  ) {
    super(detail ?? `${reason}: ${kind} ${namespace ? `${namespace}/` : ''}${objectName}`);
  }
}

/** Prisma's known request errors carry a code; unique and foreign-key violations are ordinary outcomes here. */
export function prismaCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' ? code : undefined;
}
