/** Builds `user_info` (auth.me, auth.login_ex) from session credentials. */
import type { z } from 'zod';
import type { Credentials } from '../../daemon/registry/method.js';
import type { UserInfo } from './schemas.js';

const HOW: Record<Credentials['type'], string> = {
  API_KEY: 'API_KEY',
  PASSWORD: 'PASSWORD_LOGIN',
  UNIX_SOCKET: 'UNIX_SOCKET',
  INTERNAL: 'INTERNAL',
  ANONYMOUS: 'ANONYMOUS',
};

/** The user_info of a logged-in session. */
export function userInfo(c: Credentials): z.input<typeof UserInfo> {
  const root = c.username === 'root';
  return {
    pw_name: c.username,
    pw_uid: root ? 0 : null,
    pw_gid: root ? 0 : null,
    pw_gecos: root ? 'root' : 'vsnapd administrator',
    pw_dir: root ? '/root' : '/var/empty',
    pw_shell: '/usr/sbin/nologin',
    local: true,
    account_attributes: ['LOCAL', HOW[c.type]],
    privilege: { roles: [...c.roles].sort(), web_shell: false },
    attributes: {},
  };
}
