// A stand-in for the npm registry's bulk advisory endpoint, for
// `scripts/npm-audit.sh --self-test`: it declares the web client's
// dompurify vulnerable (an invented advisory) and knows nothing else.
// Prints its port, serves on 127.0.0.1 until killed.
import http from "node:http";

const srv = http.createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    if (req.method === "POST" && req.url.endsWith("/-/npm/v1/security/advisories/bulk")) {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({
        dompurify: [{
          id: 1, url: "https://example.invalid/fixture", title: "Fixture advisory (scripts/npm-audit.sh --self-test)",
          severity: "low", vulnerable_versions: "<99.0.0", cwe: [], cvss: { score: 0, vectorString: null },
        }],
      }));
      return;
    }
    res.statusCode = 404;
    res.end("{}");
  });
});
srv.listen(0, "127.0.0.1", () => console.log(srv.address().port));
