// Device context sent with every batch. The screen and viewport may change between batches; the rest does not
// (or hardly ever), and reading the time zone costs ~1 ms, so that part is computed once, when first sent.

let fixed: object | undefined;

const fixedContext = () => {
  const n = navigator;
  const ua = n.userAgentData;
  return {
    language: n.language.slice(0, 35),
    timezone: Intl.DateTimeFormat().resolvedOptions().timeZone.slice(0, 64),
    ua_mobile: ua && ua.mobile,
    ua_platform: ua && ua.platform.slice(0, 32),
    // Without the deliberately meaningless "Not A Brand" entries browsers add to keep sniffers honest.
    ua_brands: ua && ua.brands.filter((b) => !/not.a.brand/i.test(b.brand)).slice(0, 5).map((b) => (b.brand + ' ' + b.version).slice(0, 64)),
    webdriver: n.webdriver === true,
  };
};

export const context = () => ({
  screen_w: screen.width,
  screen_h: screen.height,
  viewport_w: innerWidth,
  viewport_h: innerHeight,
  ...(fixed || (fixed = fixedContext())),
});
