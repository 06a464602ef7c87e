// A throwaway Dovecot IMAP server on 127.0.0.1 for the poller test (Debian dovecot-imapd; see
// .ci/debian-packages). One mailbox user, Maildir storage in a temp dir; messages are "delivered"
// by writing files into Maildir/new, which is how an MDA delivers.
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const DOVECOT = '/usr/sbin/dovecot';
export const dovecotAvailable = existsSync(DOVECOT) && process.getuid?.() === 0;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export interface Dovecot {
  url: string;
  deliver(name: string, raw: string): void;
  stop(): void;
}

export async function startDovecot(): Promise<Dovecot> {
  const dir = mkdtempSync(join(tmpdir(), 'postlane-dovecot-'));
  chmodSync(dir, 0o755); // the mail user (nobody) must reach its Maildir
  const port = await freePort();
  const home = join(dir, 'home');
  const maildir = join(home, 'bounces', 'Maildir');
  for (const sub of ['new', 'cur', 'tmp']) mkdirSync(join(maildir, sub), { recursive: true });
  mkdirSync(join(dir, 'run'));
  mkdirSync(join(dir, 'state'));
  writeFileSync(join(dir, 'passwd'), 'bounces:{PLAIN}test-secret\n');
  const conf = join(dir, 'dovecot.conf');
  writeFileSync(conf, `base_dir = ${dir}/run
state_dir = ${dir}/state
instance_name = postlane-test-${port}
log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:${home}/%u/Maildir
first_valid_uid = 1
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/passwd
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=${home}/%u
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
`);
  execFileSync('chown', ['-R', 'nobody:nogroup', home]);
  // stdio ignored: the daemon inherits pipes and execFileSync would wait for them to close.
  execFileSync(DOVECOT, ['-c', conf], { stdio: 'ignore' });
  // Dovecot forks and listens before the command returns; wait until the port accepts.
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = net.connect(port, '127.0.0.1', () => { c.end(); resolve(true); });
      c.on('error', () => resolve(false));
    });
    if (ok) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  let n = 0;
  return {
    url: `imap://bounces:test-secret@127.0.0.1:${port}/INBOX`,
    deliver(name, raw) {
      const file = join(maildir, 'new', `${Date.now()}.${++n}.${name}`);
      writeFileSync(file, raw);
      chownSync(file, Number(execFileSync('id', ['-u', 'nobody']).toString().trim()), Number(execFileSync('id', ['-g', 'nobody']).toString().trim()));
    },
    stop() {
      try {
        execFileSync(DOVECOT, ['-c', conf, 'stop'], { stdio: 'ignore' });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
