import { describe, expect, it } from 'vitest';
import { classifyAcquisition, isSameSite } from '../../collector/classify/acquisition.ts';
import { classifyChannel, type ChannelInput } from '../../collector/classify/channel.ts';
import { clickIdRule, findClickId } from '../../collector/classify/click-id.ts';
import { fallbackSourceName, sourceForHost, sourceForUtm } from '../../collector/classify/source.ts';
import { isSpamHost } from '../../collector/classify/spam.ts';
import { SOURCES } from '../../collector/classify/tables/sources.ts';
import { CLICK_IDS } from '../../collector/classify/tables/click-ids.ts';
import { UTM_MAX_LENGTH, parseUtm } from '../../collector/classify/utm.ts';
import type { Acquisition, AcquisitionResult } from '../../collector/classify/types.ts';

const SITE = 'example.com';

function classify(referrer: string | null, query = '', siteDomain = SITE): AcquisitionResult {
  return classifyAcquisition({ referrer, pageUrl: new URL(`https://${SITE}/landing${query}`), siteDomain });
}

/** The acquisition of an external visit; fails the test for internal or spam. */
function external(referrer: string | null, query = ''): Acquisition {
  const r = classify(referrer, query);
  if (r.kind !== 'external') throw new Error(`expected external, got ${r.kind}`);
  return r.acquisition;
}

const NO_UTM = { source: '', medium: '', campaign: '', content: '', term: '' };

describe('classifyAcquisition: no referrer', () => {
  it('is Direct with no source when nothing is known', () => {
    expect(classify(null)).toEqual({
      kind: 'external',
      acquisition: { source: '', channel: 'Direct', referrerHost: '', utm: NO_UTM },
    });
    expect(external('').channel).toBe('Direct');
    expect(external('   ').channel).toBe('Direct');
  });
});

describe('classifyAcquisition: malformed referrers never throw', () => {
  it.each([
    ['not a URL', 'not a url'],
    ['a scheme only', 'http://'],
    ['an unclosed IPv6 host', 'http://[::1'],
    ['about:blank', 'about:blank'],
    ['javascript:', 'javascript:alert(1)'],
    ['a chrome extension', 'chrome-extension://abcdefghijklmnop/popup.html'],
    ['percent garbage', '%%%E2%zz'],
    ['a file URL', 'file:///etc/passwd'],
  ])('%s is Direct', (_name, referrer) => {
    const a = external(referrer);
    expect(a.channel).toBe('Direct');
    expect(a.source).toBe('');
    expect(a.referrerHost).toBe('');
  });

  it('survives a very long referrer', () => {
    expect(() => classify(`https://${'a'.repeat(100_000)}.com/`)).not.toThrow();
  });

  it('reads an android-app:// referrer as the app (Gmail -> Email)', () => {
    expect(external('android-app://com.google.android.gm')).toMatchObject({ source: 'Gmail', channel: 'Email' });
    expect(external('android-app://com.google.android.googlequicksearchbox/https/www.google.com')).toMatchObject({
      source: 'Google',
      channel: 'Organic Search',
    });
  });

  it('names an unknown Android app by its package, as a referral', () => {
    expect(external('android-app://org.example.reader')).toMatchObject({
      source: 'org.example.reader',
      channel: 'Referral',
      referrerHost: 'org.example.reader',
    });
  });

  it('accepts a bare host without a scheme', () => {
    expect(external('news.ycombinator.com/item?id=1')).toMatchObject({ source: 'Hacker News', channel: 'Organic Social' });
    expect(external('example.org:8080/page')).toMatchObject({ source: 'example.org', channel: 'Referral' });
  });
});

describe('classifyAcquisition: referrer -> source and channel', () => {
  it.each([
    ['https://www.google.com/search?q=x', 'Google', 'Organic Search', 'google.com'],
    ['https://www.google.co.uk/', 'Google', 'Organic Search', 'google.co.uk'],
    ['https://www.google.com.br/', 'Google', 'Organic Search', 'google.com.br'],
    ['https://cn.bing.com/search?q=x', 'Bing', 'Organic Search', 'cn.bing.com'],
    ['https://es.search.yahoo.com/search', 'Yahoo!', 'Organic Search', 'es.search.yahoo.com'],
    ['https://duckduckgo.com/', 'DuckDuckGo', 'Organic Search', 'duckduckgo.com'],
    ['https://yandex.com.tr/', 'Yandex', 'Organic Search', 'yandex.com.tr'],
    ['https://l.facebook.com/l.php?u=x', 'Facebook', 'Organic Social', 'l.facebook.com'],
    ['https://lm.facebook.com/', 'Facebook', 'Organic Social', 'lm.facebook.com'],
    ['https://m.facebook.com/', 'Facebook', 'Organic Social', 'm.facebook.com'],
    ['https://t.co/abc', 'X (Twitter)', 'Organic Social', 't.co'],
    ['https://old.reddit.com/r/x', 'Reddit', 'Organic Social', 'old.reddit.com'],
    ['https://www.youtube.com/watch?v=x', 'YouTube', 'Organic Video', 'youtube.com'],
    ['https://www.amazon.de/', 'Amazon', 'Organic Shopping', 'amazon.de'],
    ['https://mail.google.com/mail/u/0/', 'Gmail', 'Email', 'mail.google.com'],
    ['https://outlook.live.com/', 'Outlook', 'Email', 'outlook.live.com'],
    ['https://deref-gmx.net/mail/client/x/dereferrer/', 'GMX', 'Email', 'deref-gmx.net'],
    ['https://chatgpt.com/', 'ChatGPT', 'AI Assistants', 'chatgpt.com'],
    ['https://claude.ai/chat/x', 'Claude', 'AI Assistants', 'claude.ai'],
    ['https://www.perplexity.ai/', 'Perplexity', 'AI Assistants', 'perplexity.ai'],
    ['https://gemini.google.com/app', 'Google Gemini', 'AI Assistants', 'gemini.google.com'],
    ['https://copilot.microsoft.com/', 'Microsoft Copilot', 'AI Assistants', 'copilot.microsoft.com'],
    ['https://en.m.wikipedia.org/wiki/X', 'Wikipedia', 'Referral', 'en.m.wikipedia.org'],
    ['https://cac-excel.officeapps.live.com/', 'Microsoft 365', 'Referral', 'cac-excel.officeapps.live.com'],
    ['https://pagead2.googlesyndication.com/', 'Google', 'Display', 'pagead2.googlesyndication.com'],
    ['https://syndicatedsearch.goog/', 'Google', 'Paid Search', 'syndicatedsearch.goog'],
  ])('%s -> %s / %s', (referrer, source, channel, referrerHost) => {
    expect(external(referrer)).toEqual({ source, channel, referrerHost, utm: NO_UTM });
  });

  it('prefers the most specific row (subdomain over its parent)', () => {
    expect(sourceForHost('mail.yahoo.com')?.name).toBe('Yahoo! Mail');
    expect(sourceForHost('search.yahoo.com')?.name).toBe('Yahoo!');
    expect(sourceForHost('shopping.google.de')?.name).toBe('Google Shopping');
  });

  it('matches suffixes only on label boundaries', () => {
    expect(external('https://notwikipedia.org/').source).toBe('notwikipedia.org');
    expect(external('https://notofficeapps.live.com/').source).toBe('notofficeapps.live.com');
    expect(sourceForHost('google.evil.com')).toBeNull();
    expect(sourceForHost('mygoogle.com')).toBeNull();
  });

  it('names an unknown referrer by its host, without www. or mobile prefixes', () => {
    expect(external('https://www.markosaric.com/post')).toMatchObject({
      source: 'markosaric.com',
      channel: 'Referral',
      referrerHost: 'markosaric.com',
    });
    expect(external('https://m.example.org/x')).toMatchObject({ source: 'example.org', referrerHost: 'm.example.org' });
    expect(fallbackSourceName('m.io')).toBe('m.io');
    expect(external('https://WWW.Example.ORG./')).toMatchObject({ source: 'example.org', referrerHost: 'example.org' });
  });
});

describe('classifyAcquisition: self-referrals', () => {
  it.each([
    ['the site', 'https://example.com/pricing'],
    ['www. of the site', 'https://www.example.com/'],
    ['a subdomain', 'https://blog.example.com/post'],
    ['a deep subdomain', 'http://a.b.example.com:8080/'],
  ])('%s is internal and Direct', (_name, referrer) => {
    expect(classify(referrer)).toEqual({
      kind: 'internal',
      acquisition: { source: '', channel: 'Direct', referrerHost: '', utm: NO_UTM },
    });
  });

  it('ignores UTM tags on internal navigation (never a new source)', () => {
    const r = classify('https://example.com/', '?utm_source=newsletter&utm_medium=email');
    expect(r).toMatchObject({ kind: 'internal', acquisition: { source: '', channel: 'Direct', utm: NO_UTM } });
  });

  it('normalizes the site domain too', () => {
    expect(classify('https://example.com/', '', 'www.Example.com').kind).toBe('internal');
  });

  it('does not treat look-alike hosts as the site', () => {
    expect(classify('https://notexample.com/').kind).toBe('external');
    expect(classify('https://example.com.evil.io/').kind).toBe('external');
    expect(isSameSite('example.co', 'example.com')).toBe(false);
    expect(isSameSite('example.com', '')).toBe(false);
  });
});

describe('classifyAcquisition: referrer spam', () => {
  it.each([
    ['semalt.com', 'https://semalt.com/'],
    ['a subdomain of a listed host', 'https://semalt.semalt.com/crawler.php?u=x'],
    ['www. of a listed host', 'http://www.darodar.com/'],
    ['a share-buttons pattern host', 'https://free-share-buttons.top/'],
    ['a best-seo pattern host', 'https://best-seo-deal.xyz/'],
  ])('%s is spam', (_name, referrer) => {
    expect(classify(referrer).kind).toBe('spam');
  });

  it('reports the normalized host and nothing else', () => {
    expect(classify('https://WWW.Semalt.com/x?y=z', '?utm_source=x')).toEqual({ kind: 'spam', host: 'semalt.com' });
  });

  it('never flags a host of our own sources table', () => {
    const hosts = SOURCES.flatMap((row) => row.hosts.map((h) => h.replace(/\.\*$/, '.com')));
    expect(hosts.filter((h) => isSpamHost(h))).toEqual([]);
  });

  it('does not flag ordinary sites that merely mention seo or buttons', () => {
    for (const host of ['seo.ai', 'moz.com', 'buttons.com', 'seobility.net', 'sharebuttons.io', 'example.com']) {
      expect(isSpamHost(host)).toBe(false);
    }
  });
});

describe('UTM parsing', () => {
  it('trims, lower-cases source and medium, keeps the case of campaign, content and term', () => {
    const url = new URL(
      'https://example.com/?utm_source=%20Newsletter%20&utm_medium=%09EMAIL&utm_campaign=%20Spring_Sale%20&utm_content=Hero+Button&utm_term=Running%20Shoes',
    );
    expect(parseUtm(url)).toEqual({
      source: 'newsletter',
      medium: 'email',
      campaign: 'Spring_Sale',
      content: 'Hero Button',
      term: 'Running Shoes',
    });
  });

  it('caps every value at UTM_MAX_LENGTH', () => {
    const long = 'x'.repeat(UTM_MAX_LENGTH + 50);
    const utm = parseUtm(new URL(`https://example.com/?utm_source=${long}&utm_campaign=${long}`));
    expect(UTM_MAX_LENGTH).toBe(200);
    expect(utm.source).toHaveLength(UTM_MAX_LENGTH);
    expect(utm.campaign).toHaveLength(UTM_MAX_LENGTH);
  });

  it('never cuts a surrogate pair in half', () => {
    const v = `${'a'.repeat(UTM_MAX_LENGTH - 1)}😀`;
    const utm = parseUtm(new URL(`https://example.com/?utm_campaign=${encodeURIComponent(v)}`));
    expect(utm.campaign).toBe('a'.repeat(UTM_MAX_LENGTH - 1));
  });

  it('drops control characters', () => {
    expect(parseUtm(new URL('https://example.com/?utm_campaign=a%0Ab%00c')).campaign).toBe('abc');
  });

  it('takes source and ref as utm_source fallbacks, utm_source first', () => {
    expect(parseUtm(new URL('https://example.com/?ref=producthunt')).source).toBe('producthunt');
    expect(parseUtm(new URL('https://example.com/?source=Twitter')).source).toBe('twitter');
    expect(parseUtm(new URL('https://example.com/?ref=a&source=b&utm_source=c')).source).toBe('c');
    expect(parseUtm(new URL('https://example.com/?utm_source=%20&ref=hn')).source).toBe('hn');
  });

  it('is empty when there are no tags', () => {
    expect(parseUtm(new URL('https://example.com/?q=1'))).toEqual(NO_UTM);
  });
});

describe('utm_source aliases', () => {
  it.each([
    ['fb', 'Facebook', 'Organic Social'],
    ['ig', 'Instagram', 'Organic Social'],
    ['yt', 'YouTube', 'Organic Video'],
    ['GOOGLE', 'Google', 'Organic Search'],
    ['bing', 'Bing', 'Organic Search'],
    ['twitter', 'X (Twitter)', 'Organic Social'],
    ['chatgpt.com', 'ChatGPT', 'AI Assistants'],
    ['news.ycombinator.com', 'Hacker News', 'Organic Social'],
    ['producthunt', 'Product Hunt', 'Organic Social'],
    ['fb-ads', 'Facebook', 'Paid Social'],
    ['fbad', 'Facebook', 'Paid Social'],
    ['google_ads', 'Google', 'Paid Search'],
    ['Adwords', 'Google', 'Paid Search'],
    ['yt-ads', 'YouTube', 'Paid Video'],
  ])('utm_source=%s -> %s / %s', (utmSource, source, channel) => {
    expect(external(null, `?utm_source=${encodeURIComponent(utmSource)}`)).toMatchObject({ source, channel });
  });

  it('keeps an unknown utm_source as given (lower-cased) and does not invent a paid suffix', () => {
    expect(sourceForUtm('spring-promo')).toEqual({ name: 'spring-promo', category: null, paid: false });
    expect(sourceForUtm('ipad')).toEqual({ name: 'ipad', category: null, paid: false });
  });

  it('lets utm_source name the source over the referrer', () => {
    expect(external('https://l.facebook.com/', '?utm_source=newsletter&utm_medium=email')).toMatchObject({
      source: 'newsletter',
      channel: 'Email',
      referrerHost: 'l.facebook.com',
    });
  });

  it("uses the referrer's category when the utm_source is unknown", () => {
    expect(external('https://l.facebook.com/', '?utm_source=spring-promo')).toMatchObject({
      source: 'spring-promo',
      channel: 'Organic Social',
    });
    // A paid medium says that the click was bought; the referrer says where.
    expect(external('https://l.facebook.com/', '?utm_source=spring-promo&utm_medium=cpc').channel).toBe('Paid Social');
    expect(external('https://www.google.com/', '?utm_medium=cpc')).toMatchObject({ source: 'Google', channel: 'Paid Search' });
  });

  it('lets a utm_medium that names a channel win over the referrer', () => {
    expect(external('https://www.google.com/', '?utm_medium=affiliate').channel).toBe('Affiliates');
    expect(external('https://l.facebook.com/', '?utm_medium=email').channel).toBe('Email');
  });
});

describe('click ids', () => {
  it('gclid on a Google referrer is Paid Search', () => {
    expect(external('https://www.google.com/', '?gclid=Cj0KCQ')).toMatchObject({ source: 'Google', channel: 'Paid Search' });
  });

  it('gclid without any referrer names Google, Paid Search', () => {
    expect(external(null, '?gclid=Cj0KCQ')).toMatchObject({ source: 'Google', channel: 'Paid Search' });
    expect(external(null, '?gbraid=0AAAA')).toMatchObject({ source: 'Google', channel: 'Paid Search' });
  });

  it("gclid on someone else's site is a copied ad URL, not a paid click", () => {
    expect(external('https://duckduckgo.com/', '?gclid=x')).toMatchObject({ source: 'DuckDuckGo', channel: 'Organic Search' });
    expect(external('https://someblog.net/', '?gclid=x').channel).toBe('Referral');
  });

  it('gclid on YouTube is Paid Video', () => {
    expect(external('https://www.youtube.com/', '?gclid=x').channel).toBe('Paid Video');
  });

  it('msclkid on Bing is Paid Search, on DuckDuckGo it is organic', () => {
    expect(external('https://www.bing.com/', '?msclkid=abc').channel).toBe('Paid Search');
    expect(external('https://duckduckgo.com/', '?msclkid=abc').channel).toBe('Organic Search');
  });

  it('fbclid alone is NOT paid: Facebook adds it to organic links too', () => {
    expect(external('https://l.facebook.com/', '?fbclid=IwAR2x')).toMatchObject({ source: 'Facebook', channel: 'Organic Social' });
    expect(external('https://l.instagram.com/', '?fbclid=IwAR2x').channel).toBe('Organic Social');
  });

  it('fbclid without a referrer names Facebook, still organic', () => {
    expect(external(null, '?fbclid=IwAR2x')).toMatchObject({ source: 'Facebook', channel: 'Organic Social' });
  });

  it('fbclid with a paid utm_medium is Paid Social (the tag decides, not the id)', () => {
    expect(external('https://l.facebook.com/', '?fbclid=x&utm_source=facebook&utm_medium=cpc').channel).toBe('Paid Social');
  });

  it('an explicit utm_medium wins over a paid click id', () => {
    expect(external('https://www.google.com/', '?gclid=x&utm_medium=email').channel).toBe('Email');
  });

  it('dclid is a display click whatever the referrer', () => {
    expect(external('https://news.example.net/article', '?dclid=x').channel).toBe('Display');
  });

  it.each([
    ['ttclid', 'https://www.tiktok.com/', 'Paid Social'],
    ['li_fat_id', 'https://www.linkedin.com/', 'Paid Social'],
    ['twclid', 'https://t.co/x', 'Paid Social'],
    ['ScCid', 'https://www.snapchat.com/', 'Paid Social'],
    ['epik', 'https://www.pinterest.com/', 'Paid Social'],
    ['rdt_cid', 'https://www.reddit.com/', 'Paid Social'],
    ['yclid', 'https://yandex.ru/', 'Paid Search'],
  ])('%s on its own network is paid', (param, referrer, channel) => {
    expect(external(referrer, `?${param}=v`).channel).toBe(channel);
  });

  it('ignores an empty click id and unknown parameters', () => {
    expect(external(null, '?gclid=').channel).toBe('Direct');
    expect(external(null, '?gclid=%20').channel).toBe('Direct');
    expect(findClickId(new URL('https://example.com/?123identifier=x'))).toBeNull();
    expect(clickIdRule('123identifier')).toBeNull();
  });

  it('matches parameter names case-insensitively and prefers paid proof over hints', () => {
    expect(findClickId(new URL('https://example.com/?sccid=x'))?.param).toBe('ScCid');
    expect(findClickId(new URL('https://example.com/?fbclid=a&gclid=b'))?.param).toBe('gclid');
  });

  it('never returns a click-id value', () => {
    const secret = 'CjwKCAjwSECRETVALUE123';
    for (const param of CLICK_IDS.map((r) => r.param)) {
      const r = classify('https://www.google.com/', `?${param}=${secret}`);
      expect(JSON.stringify(r)).not.toContain(secret);
      expect(JSON.stringify(r)).not.toContain(param);
    }
  });
});

describe('classifyChannel: GA4 rules', () => {
  const base: ChannelInput = { source: '', category: null, paidSource: false, hasReferrer: false, utm: NO_UTM, clickId: null };
  const withUtm = (utm: Partial<ChannelInput['utm']>, extra: Partial<ChannelInput> = {}): ChannelInput => ({
    ...base,
    ...extra,
    utm: { ...NO_UTM, ...utm },
  });

  it.each([
    ['cross-network campaign', withUtm({ campaign: 'PMax Cross-Network' }), 'Cross-network'],
    ['paid medium + shopping campaign', withUtm({ medium: 'paid', campaign: 'shopping' }), 'Paid Shopping'],
    ['paid medium + shopping source', withUtm({ medium: 'ppc' }, { source: 'Amazon', category: 'shopping' }), 'Paid Shopping'],
    ['cpc on a search engine', withUtm({ medium: 'cpc' }, { source: 'Bing', category: 'search' }), 'Paid Search'],
    ['retargeting on a social network', withUtm({ medium: 'retargeting' }, { source: 'Facebook', category: 'social' }), 'Paid Social'],
    ['paid on a video site', withUtm({ medium: 'paid-video' }, { source: 'YouTube', category: 'video' }), 'Paid Video'],
    ['banner', withUtm({ medium: 'banner' }), 'Display'],
    ['cpm', withUtm({ medium: 'cpm' }), 'Display'],
    ['cpc without a known source', withUtm({ medium: 'cpc' }), 'Paid Other'],
    ['shop campaign', withUtm({ campaign: 'eshop-launch' }), 'Organic Shopping'],
    ['a workshop is not a shop', withUtm({ campaign: 'workshop' }), 'Unassigned'],
    ['social medium', withUtm({ medium: 'social-media' }), 'Organic Social'],
    ['video medium', withUtm({ medium: 'video' }), 'Organic Video'],
    ['organic medium', withUtm({ medium: 'organic' }), 'Organic Search'],
    ['referral medium', withUtm({ medium: 'referral' }), 'Referral'],
    ['email medium', withUtm({ medium: 'e-mail' }), 'Email'],
    ['newsletter source', withUtm({ source: 'weekly-newsletter' }, { source: 'weekly-newsletter' }), 'Email'],
    ['affiliate', withUtm({ medium: 'affiliate' }), 'Affiliates'],
    ['audio', withUtm({ medium: 'audio' }), 'Audio'],
    ['sms source', withUtm({ source: 'sms' }, { source: 'sms' }), 'SMS'],
    ['push medium', withUtm({ medium: 'web-push' }), 'Mobile Push Notifications'],
    ['notification medium', withUtm({ medium: 'notification' }), 'Mobile Push Notifications'],
    ['firebase source', withUtm({ source: 'firebase' }, { source: 'firebase' }), 'Mobile Push Notifications'],
    ['an unknown medium', withUtm({ medium: 'qr-poster' }), 'Unassigned'],
    ['nothing at all', base, 'Direct'],
  ])('%s -> %s', (_name, input, channel) => {
    expect(classifyChannel(input)).toBe(channel);
  });

  it('an untagged unknown referrer is a Referral; a tagged source with no known medium is not', () => {
    expect(classifyChannel({ ...base, source: 'someblog.net', hasReferrer: true })).toBe('Referral');
    expect(external(null, '?ref=someblog').channel).toBe('Unassigned');
    expect(external('https://someblog.net/', '?ref=someblog').channel).toBe('Referral');
  });

  it('AI assistants have their own group', () => {
    expect(classifyChannel({ ...base, source: 'ChatGPT', category: 'ai', hasReferrer: true })).toBe('AI Assistants');
  });
});
