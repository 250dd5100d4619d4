// Known traffic sources: who a referrer host (or a utm_source spelling, or an Android app) is, and
// what kind of site it is. Data only; the lookup rules live in ../source.ts.
//
// Written by hand for telmark from public facts ("bing.com is a search engine"). Keep it that way:
// never paste another project's list here (the peer lists we measure against are GPL/AGPL).
//
// How rows are matched (see ../source.ts):
// - hosts are suffixes on label boundaries: "bing.com" matches "cn.bing.com" but not "notbing.com";
// - "name.*" matches the name under any public suffix: "google.*" is google.de, google.co.uk, ...;
// - the most specific row wins: "mail.google.com" (Gmail) beats "google.*" (Google);
// - apps are Android package names, as sent in android-app://<package> referrers (lower case);
// - aliases are extra utm_source spellings (lower case). Every row's name, lower-cased, is an
//   alias already, and so is every host: utm_source=chatgpt.com resolves like the referrer would.
// - when two rows share a name, the first one decides the category a bare name resolves to.

/** What kind of site a source is; the channel rules read this, never the name. */
export type SourceCategory =
  | 'search'
  | 'social'
  | 'video'
  | 'shopping'
  | 'email'
  /** Chat assistants (ChatGPT, Claude, ...): GA4 has no group for them, Plausible's "AI Assistants". */
  | 'ai'
  /** Ad-serving hosts of search ads on partner sites: a referrer from them is a paid search click. */
  | 'search-ads'
  /** Ad-serving hosts of display/native ads: a referrer from them is a display ad click. */
  | 'display-ads'
  /** A well-known site worth a proper name, with no channel of its own (Wikipedia, Linktree). */
  | 'referral';

export interface SourceRow {
  name: string;
  category: SourceCategory;
  hosts: readonly string[];
  apps?: readonly string[];
  aliases?: readonly string[];
}

export const SOURCES: readonly SourceRow[] = [
  // ---- search engines -------------------------------------------------------------------------
  { name: 'Google', category: 'search', hosts: ['google.*'], apps: ['com.google.android.googlequicksearchbox'] },
  { name: 'Bing', category: 'search', hosts: ['bing.com'], apps: ['com.microsoft.bing'] },
  { name: 'MSN', category: 'search', hosts: ['msn.com'] },
  { name: 'DuckDuckGo', category: 'search', hosts: ['duckduckgo.com'], apps: ['com.duckduckgo.mobile.android'], aliases: ['ddg'] },
  { name: 'Yahoo!', category: 'search', hosts: ['yahoo.*'], aliases: ['yahoo'] },
  { name: 'Yandex', category: 'search', hosts: ['yandex.*', 'ya.ru'], apps: ['ru.yandex.searchplugin'] },
  { name: 'Baidu', category: 'search', hosts: ['baidu.*'] },
  { name: 'Sogou', category: 'search', hosts: ['sogou.com'] },
  { name: '360 Search', category: 'search', hosts: ['so.com'] },
  { name: 'Shenma', category: 'search', hosts: ['sm.cn'] },
  { name: 'Naver', category: 'search', hosts: ['naver.com'] },
  { name: 'Daum', category: 'search', hosts: ['daum.net'] },
  { name: 'Seznam', category: 'search', hosts: ['seznam.cz'] },
  { name: 'Ecosia', category: 'search', hosts: ['ecosia.org'] },
  { name: 'Qwant', category: 'search', hosts: ['qwant.com'] },
  { name: 'Startpage', category: 'search', hosts: ['startpage.com'] },
  // Startpage's predecessor; old bookmarks and toolbars still send it.
  { name: 'Ixquick', category: 'search', hosts: ['ixquick.com'] },
  // brave.com is the browser's site; only its search subdomain is a search engine.
  { name: 'Brave', category: 'search', hosts: ['search.brave.com'] },
  { name: 'Kagi', category: 'search', hosts: ['kagi.com'] },
  { name: 'Mojeek', category: 'search', hosts: ['mojeek.com'] },
  { name: 'Ask', category: 'search', hosts: ['ask.com', 'search-results.com'] },
  { name: 'AOL', category: 'search', hosts: ['aol.*', 'aolsearch.com'] },
  { name: 'Mail.ru', category: 'search', hosts: ['mail.ru'] },
  { name: 'Rambler', category: 'search', hosts: ['rambler.ru'] },
  { name: 'Coc Coc', category: 'search', hosts: ['coccoc.com'] },
  { name: 'Swisscows', category: 'search', hosts: ['swisscows.com'] },
  { name: 'MetaGer', category: 'search', hosts: ['metager.de', 'metager.org'] },
  { name: 'Lycos', category: 'search', hosts: ['lycos.*'] },
  { name: 'Dogpile', category: 'search', hosts: ['dogpile.com'] },
  { name: 'Excite', category: 'search', hosts: ['excite.com'] },
  { name: 'WebCrawler', category: 'search', hosts: ['webcrawler.com'] },
  { name: 'Info.com', category: 'search', hosts: ['info.com'] },
  { name: 'Voila', category: 'search', hosts: ['voila.fr'] },
  { name: 'Babylon', category: 'search', hosts: ['babylon.com'] },
  { name: 'Meta.ua', category: 'search', hosts: ['meta.ua'] },
  { name: 'Petal Search', category: 'search', hosts: ['petalsearch.com'] },
  { name: 'Presearch', category: 'search', hosts: ['presearch.com'] },

  // ---- ad serving: the click itself was paid ----------------------------------------------------
  // AdSense for Search / custom search ads on partner sites, and the Google Ads click redirect.
  { name: 'Google', category: 'search-ads', hosts: ['googleadservices.com', 'adsensecustomsearchads.com', 'syndicatedsearch.goog'] },
  // AdSense / Campaign Manager display ads (the ad iframe is the referrer).
  { name: 'Google', category: 'display-ads', hosts: ['doubleclick.net', 'googlesyndication.com'] },
  // Native "recommended content" ad networks.
  { name: 'Taboola', category: 'display-ads', hosts: ['taboola.com'] },
  { name: 'Outbrain', category: 'display-ads', hosts: ['outbrain.com'] },

  // ---- social networks, forums and messengers ---------------------------------------------------
  // GA4 counts messengers and communities (Slack, Discord, Telegram, GitHub) as social: people
  // sharing a link with people. So do we.
  { name: 'Facebook', category: 'social', hosts: ['facebook.com', 'fb.com', 'fb.me'], apps: ['com.facebook.katana', 'com.facebook.lite'], aliases: ['fb'] },
  { name: 'Messenger', category: 'social', hosts: ['messenger.com'], apps: ['com.facebook.orca'] },
  { name: 'Instagram', category: 'social', hosts: ['instagram.com'], apps: ['com.instagram.android'], aliases: ['ig', 'insta'] },
  { name: 'Threads', category: 'social', hosts: ['threads.net', 'threads.com'], apps: ['com.instagram.barcelona'] },
  { name: 'X (Twitter)', category: 'social', hosts: ['x.com', 'twitter.com', 't.co'], apps: ['com.twitter.android'], aliases: ['twitter', 'x', 'tw'] },
  { name: 'LinkedIn', category: 'social', hosts: ['linkedin.com', 'lnkd.in'], apps: ['com.linkedin.android'] },
  { name: 'Reddit', category: 'social', hosts: ['reddit.com', 'redd.it'], apps: ['com.reddit.frontpage'] },
  { name: 'Pinterest', category: 'social', hosts: ['pinterest.*', 'pin.it'], apps: ['com.pinterest'] },
  { name: 'Tumblr', category: 'social', hosts: ['tumblr.com'], apps: ['com.tumblr'] },
  { name: 'Bluesky', category: 'social', hosts: ['bsky.app', 'bsky.social'], apps: ['xyz.blueskyweb.app'], aliases: ['bsky'] },
  // Mastodon is federated: these are the largest general instances, not all of them.
  {
    name: 'Mastodon',
    category: 'social',
    hosts: ['mastodon.social', 'mastodon.online', 'mastodon.world', 'mstdn.social', 'mas.to', 'fosstodon.org', 'hachyderm.io', 'infosec.exchange', 'techhub.social', 'mastodon.art'],
    apps: ['org.joinmastodon.android'],
  },
  { name: 'VKontakte', category: 'social', hosts: ['vk.com', 'vk.ru', 'vkontakte.ru'], aliases: ['vk'] },
  { name: 'Odnoklassniki', category: 'social', hosts: ['ok.ru', 'odnoklassniki.ru'] },
  { name: 'Weibo', category: 'social', hosts: ['weibo.com', 'weibo.cn'] },
  { name: 'WeChat', category: 'social', hosts: ['weixin.qq.com'], apps: ['com.tencent.mm'] },
  { name: 'Telegram', category: 'social', hosts: ['t.me', 'telegram.me', 'telegram.org'], apps: ['org.telegram.messenger'] },
  { name: 'WhatsApp', category: 'social', hosts: ['whatsapp.com', 'wa.me'], apps: ['com.whatsapp'] },
  { name: 'Discord', category: 'social', hosts: ['discord.com', 'discord.gg', 'discordapp.com'], apps: ['com.discord'] },
  { name: 'Slack', category: 'social', hosts: ['slack.com'], apps: ['com.slack'] },
  { name: 'Microsoft Teams', category: 'social', hosts: ['teams.microsoft.com', 'teams.live.com', 'teams.cloud.microsoft'], apps: ['com.microsoft.teams'] },
  { name: 'Workplace', category: 'social', hosts: ['workplace.com'] },
  { name: 'Snapchat', category: 'social', hosts: ['snapchat.com'], apps: ['com.snapchat.android'] },
  { name: 'TikTok', category: 'social', hosts: ['tiktok.com'], apps: ['com.zhiliaoapp.musically'] },
  { name: 'LINE', category: 'social', hosts: ['line.me'], apps: ['jp.naver.line.android'] },
  { name: 'Xing', category: 'social', hosts: ['xing.com'] },
  { name: 'Nextdoor', category: 'social', hosts: ['nextdoor.com'] },
  { name: 'Hacker News', category: 'social', hosts: ['news.ycombinator.com'], aliases: ['hn', 'hackernews'] },
  { name: 'Lobsters', category: 'social', hosts: ['lobste.rs'] },
  { name: 'Product Hunt', category: 'social', hosts: ['producthunt.com'], aliases: ['producthunt'] },
  { name: 'GitHub', category: 'social', hosts: ['github.com'] },
  { name: 'Stack Overflow', category: 'social', hosts: ['stackoverflow.com', 'stackexchange.com'] },
  { name: 'Quora', category: 'social', hosts: ['quora.com'] },
  { name: 'Medium', category: 'social', hosts: ['medium.com'] },
  { name: 'DEV Community', category: 'social', hosts: ['dev.to'] },
  { name: 'Steam Community', category: 'social', hosts: ['steamcommunity.com'] },
  { name: 'Lemmy', category: 'social', hosts: ['lemmy.world', 'lemmy.ml'] },
  { name: 'Douban', category: 'social', hosts: ['douban.com'] },
  { name: 'Meetup', category: 'social', hosts: ['meetup.com'] },
  { name: 'Disqus', category: 'social', hosts: ['disqus.com'] },
  { name: 'Flipboard', category: 'social', hosts: ['flipboard.com'] },

  // ---- video --------------------------------------------------------------------------------------
  { name: 'YouTube', category: 'video', hosts: ['youtube.com', 'youtu.be', 'youtube-nocookie.com'], apps: ['com.google.android.youtube'], aliases: ['yt'] },
  { name: 'Vimeo', category: 'video', hosts: ['vimeo.com'] },
  { name: 'Twitch', category: 'video', hosts: ['twitch.tv'] },
  { name: 'Dailymotion', category: 'video', hosts: ['dailymotion.com', 'dai.ly'] },
  { name: 'Rumble', category: 'video', hosts: ['rumble.com'] },
  { name: 'Odysee', category: 'video', hosts: ['odysee.com'] },
  { name: 'Bilibili', category: 'video', hosts: ['bilibili.com', 'b23.tv'] },
  { name: 'Youku', category: 'video', hosts: ['youku.com'] },
  { name: 'iQIYI', category: 'video', hosts: ['iqiyi.com'] },
  { name: 'Niconico', category: 'video', hosts: ['nicovideo.jp'] },
  { name: 'TED', category: 'video', hosts: ['ted.com'] },

  // ---- shopping -----------------------------------------------------------------------------------
  { name: 'Amazon', category: 'shopping', hosts: ['amazon.*', 'amzn.to'] },
  { name: 'eBay', category: 'shopping', hosts: ['ebay.*'] },
  { name: 'Etsy', category: 'shopping', hosts: ['etsy.com'] },
  { name: 'Walmart', category: 'shopping', hosts: ['walmart.com', 'walmart.ca'] },
  { name: 'Target', category: 'shopping', hosts: ['target.com'] },
  { name: 'Best Buy', category: 'shopping', hosts: ['bestbuy.com'] },
  // shopify.com (the merchant platform and app store) only: *.myshopify.com are other people's shops.
  { name: 'Shopify', category: 'shopping', hosts: ['shopify.com'] },
  { name: 'AliExpress', category: 'shopping', hosts: ['aliexpress.*'] },
  { name: 'Alibaba', category: 'shopping', hosts: ['alibaba.com'] },
  { name: 'Temu', category: 'shopping', hosts: ['temu.com'] },
  { name: 'Shein', category: 'shopping', hosts: ['shein.com'] },
  { name: 'Wish', category: 'shopping', hosts: ['wish.com'] },
  { name: 'Mercado Libre', category: 'shopping', hosts: ['mercadolibre.*', 'mercadolivre.com.br'] },
  { name: 'Rakuten', category: 'shopping', hosts: ['rakuten.*'] },
  { name: 'Shopee', category: 'shopping', hosts: ['shopee.*'] },
  { name: 'Flipkart', category: 'shopping', hosts: ['flipkart.com'] },
  { name: 'Zalando', category: 'shopping', hosts: ['zalando.*'] },
  { name: 'Otto', category: 'shopping', hosts: ['otto.de'] },
  { name: 'Allegro', category: 'shopping', hosts: ['allegro.pl'] },
  { name: 'bol.com', category: 'shopping', hosts: ['bol.com'] },
  // Price comparison sites send shoppers, whatever search box they use to do it.
  { name: 'idealo', category: 'shopping', hosts: ['idealo.*'] },
  { name: 'PriceRunner', category: 'shopping', hosts: ['pricerunner.*'] },
  { name: 'Kelkoo', category: 'shopping', hosts: ['kelkoo.*'] },
  { name: 'Google Shopping', category: 'shopping', hosts: ['shopping.google.*'] },

  // ---- webmail and newsletter tools -------------------------------------------------------------
  { name: 'Gmail', category: 'email', hosts: ['mail.google.com', 'inbox.google.com'], apps: ['com.google.android.gm'] },
  {
    name: 'Outlook',
    category: 'email',
    hosts: ['outlook.live.com', 'mail.live.com', 'outlook.office.com', 'outlook.office365.com', 'outlook.com', 'hotmail.com'],
    apps: ['com.microsoft.office.outlook'],
  },
  { name: 'Yahoo! Mail', category: 'email', hosts: ['mail.yahoo.*', 'mail.yahoo.net'], apps: ['com.yahoo.mobile.client.android.mail'] },
  { name: 'AOL Mail', category: 'email', hosts: ['mail.aol.com'] },
  { name: 'Proton Mail', category: 'email', hosts: ['mail.proton.me', 'protonmail.com', 'protonmail.ch'], apps: ['ch.protonmail.android'] },
  { name: 'iCloud Mail', category: 'email', hosts: ['icloud.com'] },
  { name: 'Fastmail', category: 'email', hosts: ['fastmail.com'] },
  { name: 'Tuta', category: 'email', hosts: ['tuta.com', 'tutanota.com'] },
  { name: 'HEY', category: 'email', hosts: ['app.hey.com'] },
  { name: 'Zoho Mail', category: 'email', hosts: ['mail.zoho.*'] },
  { name: 'Yandex Mail', category: 'email', hosts: ['mail.yandex.*'] },
  { name: 'Mail.ru Mail', category: 'email', hosts: ['e.mail.ru'] },
  // United Internet's webmails (GMX, WEB.DE, 1&1, mail.com) also link out through
  // deref-<brand>.<tld> dereferrers; ../source.ts maps those onto these rows.
  { name: 'GMX', category: 'email', hosts: ['gmx.*'] },
  { name: 'WEB.DE', category: 'email', hosts: ['web.de'] },
  { name: '1&1', category: 'email', hosts: ['1und1.de'] },
  { name: 'mail.com', category: 'email', hosts: ['mail.com'] },
  { name: 'IONOS', category: 'email', hosts: ['email.ionos.*', 'mailbusiness.ionos.*'] },
  { name: 'T-Online', category: 'email', hosts: ['email.t-online.de'] },
  // orange.fr is a portal, but nearly all of its outbound clicks come from its webmail.
  { name: 'Orange Mail', category: 'email', hosts: ['orange.fr'] },
  { name: 'Bluewin', category: 'email', hosts: ['bluewin.ch'] },
  { name: 'Infomaniak Mail', category: 'email', hosts: ['mail.infomaniak.com'] },
  { name: 'TIM Mail', category: 'email', hosts: ['webmail.tim.it'] },
  { name: 'Vodafone Mail', category: 'email', hosts: ['mail.vodafone.de'] },
  { name: 'Libero Mail', category: 'email', hosts: ['mail.libero.it'] },
  { name: 'Seznam Email', category: 'email', hosts: ['email.seznam.cz'] },
  { name: 'SFR Mail', category: 'email', hosts: ['webmail.sfr.fr'] },
  { name: 'Xfinity Mail', category: 'email', hosts: ['connect.xfinity.com'] },
  { name: 'QQ Mail', category: 'email', hosts: ['mail.qq.com'] },
  { name: 'NetEase Mail', category: 'email', hosts: ['mail.163.com', 'mail.126.com'] },
  { name: 'Naver Mail', category: 'email', hosts: ['mail.naver.com'] },
  // Mailchimp's campaign archive and click-tracking redirect.
  { name: 'Mailchimp', category: 'email', hosts: ['mailchi.mp', 'list-manage.com'] },

  // ---- search pages of webmail portals (after their email rows: a bare name means the email) -----
  { name: '1&1', category: 'search', hosts: ['suche.1und1.de'] },
  { name: 'WEB.DE', category: 'search', hosts: ['suche.web.de'] },
  { name: 'T-Online', category: 'search', hosts: ['suche.t-online.de'] },

  // ---- AI assistants --------------------------------------------------------------------------------
  { name: 'ChatGPT', category: 'ai', hosts: ['chatgpt.com', 'chat.openai.com'], apps: ['com.openai.chatgpt'] },
  { name: 'Claude', category: 'ai', hosts: ['claude.ai'], apps: ['com.anthropic.claude'] },
  { name: 'Perplexity', category: 'ai', hosts: ['perplexity.ai', 'pplx.ai'], apps: ['ai.perplexity.app.android'] },
  { name: 'Google Gemini', category: 'ai', hosts: ['gemini.google.com', 'bard.google.com'], apps: ['com.google.android.apps.bard'], aliases: ['gemini'] },
  { name: 'Microsoft Copilot', category: 'ai', hosts: ['copilot.microsoft.com', 'copilot.com', 'copilot.cloud.microsoft'], apps: ['com.microsoft.copilot'], aliases: ['copilot'] },
  { name: 'Meta AI', category: 'ai', hosts: ['meta.ai'] },
  { name: 'Mistral', category: 'ai', hosts: ['chat.mistral.ai'] },
  { name: 'DeepSeek', category: 'ai', hosts: ['deepseek.com'] },
  { name: 'Grok', category: 'ai', hosts: ['grok.com'] },
  { name: 'Poe', category: 'ai', hosts: ['poe.com'] },
  { name: 'Character.AI', category: 'ai', hosts: ['character.ai'] },
  { name: 'Phind', category: 'ai', hosts: ['phind.com'] },
  { name: 'You.com', category: 'ai', hosts: ['you.com'] },
  { name: 'Pi', category: 'ai', hosts: ['pi.ai'] },
  { name: 'Kimi', category: 'ai', hosts: ['kimi.com', 'kimi.moonshot.cn'] },
  { name: 'Qwen', category: 'ai', hosts: ['chat.qwen.ai'] },

  // ---- named referrals ---------------------------------------------------------------------------
  { name: 'Wikipedia', category: 'referral', hosts: ['wikipedia.org'] },
  { name: 'Linktree', category: 'referral', hosts: ['linktr.ee'] },
  // Links clicked in Office documents opened in the browser (Word, Excel, PowerPoint online).
  { name: 'Microsoft 365', category: 'referral', hosts: ['officeapps.live.com', 'office.com', 'microsoft365.com'] },
  { name: 'Google Docs', category: 'referral', hosts: ['docs.google.com'] },
  { name: 'Notion', category: 'referral', hosts: ['notion.so', 'notion.site'] },
];

/**
 * utm_source spellings that name a source *and* say the click was bought, where the generic
 * "<source>-ads" suffix rule in ../source.ts cannot see it.
 */
export const PAID_SOURCE_ALIASES: ReadonlyMap<string, string> = new Map([
  ['adwords', 'Google'],
  ['google-adwords', 'Google'],
  ['gads', 'Google'],
  ['fbad', 'Facebook'],
  ['fbads', 'Facebook'],
  ['meta-ads', 'Facebook'],
  ['metaads', 'Facebook'],
  ['msads', 'Bing'],
  ['microsoft-ads', 'Bing'],
]);

/**
 * Second-level labels under which country registries sell names (google.co.uk, amazon.com.au), so
 * "name.*" rows can skip the whole public suffix. A heuristic, not the Public Suffix List: it only
 * has to work for the few brands written as "name.*" above.
 */
export const SECOND_LEVEL_LABELS: ReadonlySet<string> = new Set([
  'co', 'com', 'net', 'org', 'gov', 'edu', 'ac', 'or', 'ne', 'go', 'gob', 'gouv', 'mil', 'ltd', 'plc', 'nic',
]);
