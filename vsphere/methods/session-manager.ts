/**
 * SessionManager methods: `Login` and `Logout` (reference B.2). The session itself is the
 * `vmware_soap_session` cookie the transport keeps; `UserSession.key` identifies it.
 *
 * NOTE: the password travels only inside the Login envelope; it is never logged, and the SOAP
 * client never attaches request bodies to errors.
 */
import { obj, str } from '../types/read.js';
import type { MoRef } from '../types/values.js';
import { ref } from '../soap/xml-writer.js';
import type { CallOptions, RoundTripper } from '../soap/soap-client.js';

/** vim25 `UserSession` (the fields this client uses). */
export interface UserSession {
  /** Session key (what `SessionIsActive` takes). */
  key: string;
  userName: string;
  fullName: string;
  /** ISO 8601. */
  loginTime: string;
}

/**
 * `Login(_this=SessionManager, userName, password, locale?)`.
 * @throws SoapFaultError `InvalidLogin` (kind `denied`) on bad credentials, `InvalidLocale`
 */
export async function Login(
  rt: RoundTripper,
  sessionManager: MoRef,
  userName: string,
  password: string,
  opts?: CallOptions & { locale?: string },
): Promise<UserSession> {
  const [rv] = await rt.call(
    'Login',
    { _this: ref(sessionManager), userName, password, locale: opts?.locale },
    opts,
  );
  const s = obj(rv);
  return {
    key: str(s?.key) ?? '',
    userName: str(s?.userName) ?? userName,
    fullName: str(s?.fullName) ?? '',
    loginTime: str(s?.loginTime) ?? '',
  };
}

/** `Logout(_this=SessionManager)`; ends the session server-side (sessions count against vCenter's limit). */
export async function Logout(rt: RoundTripper, sessionManager: MoRef, opts?: CallOptions): Promise<void> {
  await rt.call('Logout', { _this: ref(sessionManager) }, opts);
}
