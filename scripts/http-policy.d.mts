export const isolationHeaders: Record<string, string>;
export function contentSecurityPolicy(options?: { brokers?: readonly string[] }): string;
export function securityHeaders(options?: { brokers?: readonly string[] }): Record<string, string>;
