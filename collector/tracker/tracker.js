// telmark tracker: a Plausible-compatible page-view and event beacon.
//
//   <script defer data-domain="example.com" src="https://COLLECTOR/js/script.js"></script>
//
// Attributes on the script tag:
//   data-domain           the registered site (default: the page's host name)
//   data-api              where to send events (default: <origin of src>/api/event)
//   data-allow-localhost  also send from localhost / 127.x / [::1] (off by default so that
//                         a developer's local copy of a site does not pollute its stats)
//
// Custom events: telmark('signup', {props: {plan: 'pro'}, revenue: {amount: 9, currency: 'EUR'}}).
// window.plausible is the same function, so existing Plausible snippets keep working; calls made
// before this script ran are replayed from the queue stub (window.telmark.q / window.plausible.q).
//
// Engagement, as Plausible's tracker: when the page is hidden or left, and before the next page of
// a single-page app, one {"n":"engagement","sd":<how far down the page was seen, %>,"e":<ms in
// view since the last report>} for the page. The collector makes them scroll depth and time on
// page; they are not events.
//
// Privacy: no cookies, no localStorage or sessionStorage, nothing read to fingerprint the browser.
// Do Not Track and Global Privacy Control switch sending off entirely.
//
// script.ts minifies this file with a small comment-and-whitespace stripper, not a parser. Keep to
// plain ES5 that it reads safely: end statements with ";", no template literals, and a regular
// expression literal only after one of ( , = : [ ! & | ? { } ;
(function (win, doc) {
  'use strict';
  var loc = win.location;
  var nav = win.navigator;
  var script = doc.currentScript || doc.querySelector('script[data-domain]');
  var attr = function (name) {
    return script ? script.getAttribute(name) : null;
  };
  var domain = attr('data-domain') || loc.hostname;
  var endpoint = attr('data-api') || (script ? new URL(script.src).origin : '') + '/api/event';
  var optedOut = nav.doNotTrack == '1' || win.doNotTrack == '1' || nav.globalPrivacyControl === true;
  var isLocal = loc.protocol == 'file:' || /^(localhost|127(\.\d+){3}|\[::1\])$/.test(loc.hostname);
  var skip = optedOut || (isLocal && attr('data-allow-localhost') === null);
  var lastPage;

  function send(payload) {
    if (skip) return;
    var body = JSON.stringify(payload);
    // text/plain keeps the request "simple" (no CORS preflight). sendBeacon survives the page
    // unloading; fetch with keepalive does too where sendBeacon is missing or refuses the body.
    if (!(nav.sendBeacon && nav.sendBeacon(endpoint, new Blob([body], { type: 'text/plain' })))) {
      fetch(endpoint, { method: 'POST', body: body, keepalive: true, headers: { 'Content-Type': 'text/plain' } }).catch(function () {});
    }
  }

  function track(name, options) {
    var o = options || {};
    var payload = { n: name, u: o.u || loc.href, d: domain, r: doc.referrer || null };
    if (o.props) payload.p = o.props;
    if (o.revenue) payload.$ = o.revenue;
    send(payload);
    if (o.callback) o.callback();
  }

  // Engagement of the current page: the deepest point seen (% of the page's height), the ms it
  // was in view, and what was reported already (a report goes only when something grew).
  var maxScroll, inViewMs, inViewSince, sentScroll, sentMs;
  function resetEngagement() {
    maxScroll = 0;
    inViewMs = 0;
    sentScroll = -1;
    sentMs = 0;
    inViewSince = doc.visibilityState === 'hidden' ? null : Date.now();
    onScroll();
  }
  function onScroll() {
    var el = doc.documentElement;
    var height = Math.max(el.scrollHeight, doc.body ? doc.body.scrollHeight : 0);
    var seen = height > 0 ? Math.round((100 * ((win.scrollY || el.scrollTop || 0) + win.innerHeight)) / height) : 0;
    if (seen > maxScroll) maxScroll = Math.min(100, seen);
  }
  function engagement() {
    if (inViewSince !== null) inViewMs += Date.now() - inViewSince;
    inViewSince = doc.visibilityState === 'hidden' ? null : Date.now();
    if (lastPage && (maxScroll > sentScroll || inViewMs - sentMs >= 1000)) {
      send({ n: 'engagement', u: lastPage, d: domain, sd: maxScroll, e: inViewMs - sentMs });
      sentScroll = maxScroll;
      sentMs = inViewMs;
    }
  }

  // The hash is ignored: an in-page anchor is not a new page, and re-pushing the same URL
  // (some routers do) must not count twice in a row.
  function pageview() {
    var page = loc.href.split('#')[0];
    if (page === lastPage) return;
    if (lastPage) engagement();
    lastPage = page;
    resetEngagement();
    track('pageview');
  }
  win.addEventListener('scroll', onScroll, { passive: true });
  doc.addEventListener('visibilitychange', function () {
    if (doc.visibilityState === 'hidden') engagement();
    else inViewSince = Date.now();
  });
  win.addEventListener('pagehide', engagement);

  var queue = [].concat((win.telmark && win.telmark.q) || [], (win.plausible && win.plausible.q) || []);
  win.telmark = win.plausible = track;

  var pushState = win.history.pushState;
  win.history.pushState = function () {
    pushState.apply(this, arguments);
    pageview();
  };
  win.addEventListener('popstate', pageview);

  // A prerendered page is only a visit once the user actually sees it.
  if (doc.prerendering) {
    doc.addEventListener('prerenderingchange', pageview, { once: true });
  } else {
    pageview();
  }
  // Queued custom events go after the page view so that the visit starts on its landing page.
  for (var i = 0; i < queue.length; i++) track.apply(null, queue[i]);
})(window, document);
