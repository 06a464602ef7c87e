// Static reference lists: role-account local parts, free mailbox providers, typo targets and
// TLD typos. Curated by hand; the disposable-domain list is external (see lists.ts).

/** Local parts that reach a function or a team rather than one person (RFC 2142 and common practice). */
export const ROLE_LOCAL_PARTS: ReadonlySet<string> = new Set([
  'abuse', 'accounting', 'accounts', 'admin', 'administrator', 'admissions', 'alerts', 'all', 'billing',
  'bookings', 'careers', 'ceo', 'community', 'compliance', 'contact', 'contactus', 'customercare',
  'customerservice', 'customer-service', 'design', 'dev', 'developers', 'devnull', 'devops', 'dmarc',
  'donotreply', 'do-not-reply', 'editor', 'enquiries', 'enquiry', 'everyone', 'feedback', 'finance',
  'ftp', 'hello', 'help', 'helpdesk', 'hostmaster', 'hr', 'info', 'information', 'inquiries', 'inquiry',
  'investor', 'investors', 'ir', 'it', 'jobs', 'legal', 'list', 'listserv', 'mail', 'mailer-daemon',
  'marketing', 'media', 'news', 'newsletter', 'no-reply', 'nobody', 'noc', 'noreply', 'no_reply',
  'notifications', 'office', 'operations', 'ops', 'orders', 'partners', 'postmaster', 'pr', 'press',
  'privacy', 'purchasing', 'recruiting', 'recruitment', 'reply', 'reservations', 'root', 'sales',
  'security', 'service', 'services', 'shop', 'staff', 'subscribe', 'support', 'sysadmin', 'team',
  'tech', 'uucp', 'unsubscribe', 'usenet', 'webmaster', 'welcome', 'www',
]);

/** Consumer mailbox providers: an address there belongs to a person, not a company domain. */
export const FREE_PROVIDERS: ReadonlySet<string> = new Set([
  'gmail.com', 'googlemail.com', 'yahoo.com', 'yahoo.co.uk', 'yahoo.fr', 'yahoo.de', 'yahoo.es', 'yahoo.it',
  'yahoo.ca', 'yahoo.com.au', 'yahoo.co.in', 'yahoo.co.jp', 'yahoo.com.br', 'ymail.com', 'rocketmail.com',
  'hotmail.com', 'hotmail.co.uk', 'hotmail.fr', 'hotmail.de', 'hotmail.es', 'hotmail.it', 'outlook.com',
  'outlook.fr', 'outlook.de', 'live.com', 'live.co.uk', 'live.fr', 'live.de', 'msn.com', 'aol.com', 'aim.com',
  'icloud.com', 'me.com', 'mac.com', 'protonmail.com', 'protonmail.ch', 'proton.me', 'pm.me', 'tutanota.com',
  'tuta.io', 'gmx.com', 'gmx.de', 'gmx.net', 'gmx.at', 'gmx.ch', 'web.de', 'mail.com', 'email.com',
  'yandex.ru', 'yandex.com', 'ya.ru', 'mail.ru', 'bk.ru', 'inbox.ru', 'list.ru', 'rambler.ru', 'ukr.net',
  'zoho.com', 'fastmail.com', 'fastmail.fm', 'hey.com', 'duck.com', 'hushmail.com', 'mailfence.com',
  'posteo.de', 'mailbox.org', 'qq.com', '163.com', '126.com', 'sina.com', 'sohu.com', 'naver.com',
  'daum.net', 'hanmail.net', 'rediffmail.com', 'libero.it', 'virgilio.it', 'tiscali.it', 'orange.fr',
  'wanadoo.fr', 'free.fr', 'laposte.net', 'sfr.fr', 'neuf.fr', 't-online.de', 'freenet.de', 'arcor.de',
  'seznam.cz', 'wp.pl', 'o2.pl', 'interia.pl', 'onet.pl', 'op.pl', 'comcast.net', 'verizon.net', 'att.net',
  'sbcglobal.net', 'bellsouth.net', 'cox.net', 'charter.net', 'earthlink.net', 'btinternet.com', 'sky.com',
  'virginmedia.com', 'ntlworld.com', 'talktalk.net', 'bigpond.com', 'optusnet.com.au', 'shaw.ca',
  'rogers.com', 'sympatico.ca', 'terra.com.br', 'uol.com.br', 'bol.com.br', 'bluewin.ch', 'telenet.be',
  'skynet.be', 'ziggo.nl', 'kpnmail.nl', 'home.nl', 'planet.nl', 'xs4all.nl', 'online.no', 'telia.com',
]);

/** The domains most addresses are mistyped from; typo suggestions aim at these (plus workspace domains). */
export const TYPO_TARGETS: readonly string[] = [
  'gmail.com', 'googlemail.com', 'yahoo.com', 'hotmail.com', 'outlook.com', 'aol.com', 'icloud.com',
  'live.com', 'msn.com', 'me.com', 'mac.com', 'comcast.net', 'protonmail.com', 'proton.me', 'gmx.com',
  'gmx.de', 'gmx.net', 'web.de', 'yahoo.co.uk', 'hotmail.co.uk', 'yahoo.fr', 'hotmail.fr', 'orange.fr',
  'wanadoo.fr', 'free.fr', 'laposte.net', 't-online.de', 'yandex.ru', 'mail.ru', 'att.net', 'verizon.net',
  'sbcglobal.net', 'bellsouth.net', 'btinternet.com', 'ymail.com', 'rocketmail.com', 'libero.it', 'qq.com',
  '163.com', 'naver.com', 'bigpond.com', 'shaw.ca', 'rogers.com', 'cox.net', 'charter.net', 'earthlink.net',
  'zoho.com', 'fastmail.com', 'mail.com', 'seznam.cz', 'wp.pl', 'uol.com.br',
];

/** Top-level domains that are not delegated and are one slip away from a real one. */
export const TLD_TYPOS: ReadonlyMap<string, string> = new Map([
  ['con', 'com'], ['cmo', 'com'], ['ocm', 'com'], ['cpm', 'com'], ['vom', 'com'], ['xom', 'com'],
  ['comm', 'com'], ['coom', 'com'], ['cim', 'com'], ['cmm', 'com'], ['clm', 'com'], ['cok', 'com'],
  ['comn', 'com'], ['c0m', 'com'], ['coml', 'com'], ['ccom', 'com'], ['nte', 'net'], ['nett', 'net'],
  ['ner', 'net'], ['ogr', 'org'], ['orgg', 'org'], ['rog', 'org'], ['co.ukk', 'co.uk'], ['couk', 'co.uk'],
]);
