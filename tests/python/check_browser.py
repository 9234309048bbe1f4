"""Looks at a report in headless Chromium (called by tests/scenario/browser.sh).

usage: check_browser.py CHROMIUM REPORT_DIR MIN_IMAGES
- a screenshot of report.html is not blank (drawn pixels, several colours);
- every image of the page loads (lazy ones forced), in a copy of the page
  with a checking script injected, read back with --dump-dom;
- no console message: none logged for the page itself, and no
  console.error or uncaught error in the checking copy.
"""
import json
import os
import re
import subprocess
import sys

from PIL import Image

chromium, rdir, min_images = sys.argv[1], sys.argv[2], int(sys.argv[3])
page = os.path.abspath(os.path.join(rdir, "report.html"))
failures = 0
FLAGS = ["--no-sandbox", "--disable-gpu", "--headless", "--hide-scrollbars",
         "--enable-logging=stderr", "--v=0", "--virtual-time-budget=30000"]


def check(cond, what):
    global failures
    print(("ok: " if cond else "FAIL: ") + what)
    if not cond:
        failures += 1


def run(args, timeout=180):
    return subprocess.run([chromium] + FLAGS + args, capture_output=True,
                          text=True, timeout=timeout)


# 1. screenshot of the page as a reader opens it
shot = os.path.join(rdir, "screenshot.png")
p = run(["--window-size=1400,3200", "--screenshot=" + shot,
         "file://" + page])
check(p.returncode == 0 and os.path.exists(shot),
      "screenshot taken (exit %d)" % p.returncode)
img = Image.open(shot).convert("RGB")
w, h = img.size
px = img.getdata()
bg = px[w * (h - 1)]  # body background
drawn = sum(1 for c in px if c != (255, 255, 255) and c != bg)
colours = len({(r // 32, g // 32, b // 32) for r, g, b in px})
check(drawn / (w * h) > 0.05,
      "screenshot not blank: %.1f%% of %dx%d pixels drawn" %
      (100.0 * drawn / (w * h), w, h))
check(colours >= 20, "screenshot has %d colour buckets (plots, not only "
      "text)" % colours)
console = [l for l in p.stderr.splitlines() if ":CONSOLE" in l]
check(not console, "no console message for report.html%s" %
      ("" if not console else ": " + "; ".join(console[:3])))

# 2. every image loads: a copy of the page with a checking script
html = open(page, encoding="utf-8").read()
probe = """<script>
window.l2simErrors = [];
const origError = console.error;
console.error = function () { window.l2simErrors.push([...arguments].join(' '));
  origError.apply(console, arguments); };
window.addEventListener('error', e => window.l2simErrors.push(String(e.message || e.type)), true);
window.addEventListener('load', async () => {
  const imgs = [...document.images];
  imgs.forEach(i => { i.loading = 'eager'; });
  await Promise.all(imgs.map(i => i.complete && i.naturalWidth > 0 ? 0 :
    new Promise(r => { i.addEventListener('load', r); i.addEventListener('error', r);
                       setTimeout(r, 20000); })));
  const bad = imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.getAttribute('src'));
  const pre = document.createElement('pre');
  pre.id = 'l2sim-result';
  pre.textContent = 'L2SIM-RESULT ' + JSON.stringify({images: imgs.length, bad: bad,
    errors: window.l2simErrors, figures: document.querySelectorAll('figure').length,
    links: [...document.querySelectorAll('a[href^="#"]')].filter(
      a => !document.getElementById(a.getAttribute('href').slice(1))).length});
  document.body.appendChild(pre);
});
</script>"""
copy = os.path.join(rdir, "browser-check.html")
with open(copy, "w", encoding="utf-8") as f:
    f.write(html.replace("<head>", "<head>\n" + probe, 1))
p = run(["--dump-dom", "file://" + os.path.abspath(copy)])
os.unlink(copy)
m = re.search(r"L2SIM-RESULT (\{.*?\})</pre>", p.stdout.replace("&quot;", '"'))
check(m is not None, "the checking script ran")
if m:
    res = json.loads(m.group(1))
    n_png = len([f for f in os.listdir(os.path.join(rdir, "plots"))
                 if f.endswith(".png")])
    check(res["images"] == n_png and res["images"] >= min_images,
          "%d images on the page, %d PNGs in plots/" % (res["images"], n_png))
    check(not res["bad"], "every image loaded%s" %
          ("" if not res["bad"] else ": missing " + ", ".join(res["bad"][:5])))
    check(not res["errors"], "no console error or uncaught error%s" %
          ("" if not res["errors"] else ": " + "; ".join(res["errors"][:3])))
    check(res["links"] == 0, "every in-page link has its target")
    check(res["figures"] == res["images"], "one caption per figure")

# 3. the interactive versions (gnuplot's canvas terminal) draw without
# errors: their scripts come from js/ in the report
inter = sorted(f for f in os.listdir(os.path.join(rdir, "plots"))
               if f.endswith(".html"))
linked = len(re.findall(r'href="plots/[^"]+\.html"', html))
check(linked == len(inter), "%d interactive plots, all linked from the "
      "page" % len(inter))
for f in inter[:3]:
    path = os.path.abspath(os.path.join(rdir, "plots", f))
    shot = os.path.join(rdir, "inter.png")
    p = run(["--window-size=1000,620", "--screenshot=" + shot,
             "file://" + path])
    console = [l for l in p.stderr.splitlines() if ":CONSOLE" in l]
    img = Image.open(shot).convert("RGB")
    colours = len({(r // 32, g // 32, b // 32) for r, g, b in img.getdata()})
    check(not console and colours >= 5, "interactive %s draws (%d colour "
          "buckets) without console errors%s" % (f, colours, "" if not
          console else ": " + console[0]))
sys.exit(1 if failures else 0)
