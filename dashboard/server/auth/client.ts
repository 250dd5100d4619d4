// Where a sign-in comes from, as little of it as the job needs: the full address only to hand to
// the audit log (which keeps it truncated plus a keyed hash) and to pick the throttle's network
// (/24 or /48); the device as "Chrome on Windows" for the sessions list, never the UA string.
import type { Context } from 'hono';
import UAParser from 'ua-parser-js';
import { truncatedNetwork } from '../../../schema/audit-log.ts';
import type { ClientInfo } from './accounts.ts';

export type ClientIp = (c: Context) => string | undefined;

export function clientInfo(c: Context, clientIp: ClientIp): ClientInfo {
  const ip = clientIp(c);
  const network = truncatedNetwork(ip) || 'unknown';
  return { ip, network, device: deviceName(c.req.header('user-agent')) };
}

export function deviceName(userAgent: string | undefined): string {
  if (!userAgent) return 'Unknown device';
  const ua = new UAParser(userAgent.slice(0, 512)).getResult();
  const browser = ua.browser.name ?? 'Unknown browser';
  const os = ua.os.name ?? 'unknown system';
  return `${browser} on ${os}`.slice(0, 80);
}
