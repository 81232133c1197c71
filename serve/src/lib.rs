//! The static file server of `cargo xtask demo` and of the bench's browser
//! runs (std only).
//!
//! HTTP/1.1 `GET` and `HEAD`, one thread per connection, `Connection: close`
//! (a browser loading many modules at once never waits on a connection that
//! another response holds). It serves files under one directory only (no
//! `..`, no symlinks out of it), with the MIME types the page needs
//! (`application/wasm` so `WebAssembly.instantiateStreaming` works) and the
//! page's security headers: a strict Content-Security-Policy and `nosniff`.
//! The demo serves `www/` with a home page: `/` redirects to `/demo/`, so the
//! page's address stays simple while it imports the library from `/lib/`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// What may go wrong when starting to serve.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// How a directory is served.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// A path such as `/demo/`: a request for `/` is redirected there, its
    /// query kept.
    pub home: Option<&'static str>,
    /// Print each request and its status to stderr.
    pub log: bool,
    /// Let the browser keep what it fetched (`Cache-Control: max-age=3600`,
    /// for timed page loads that want its caches warm); otherwise every
    /// response says `no-cache`, so an edited file is what the next load gets.
    pub cache: bool,
}

/// The Content-Security-Policy every response carries: only our own
/// scripts, styles and wasm; no inline code, no plugins, no `<base>`.
pub const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
style-src 'self'; img-src 'self' data: blob:; object-src 'none'; base-uri 'none'";

/// Longest request head accepted (request line plus headers).
const MAX_HEAD: usize = 16 * 1024;

/// Binds `127.0.0.1:port` (0 = any free port), calls `ready` with the bound
/// address, then serves `dir` until the process ends.
pub fn serve(
    dir: &Path,
    port: u16,
    options: Options,
    ready: impl FnOnce(SocketAddr),
) -> Result<(), Error> {
    let (dir, listener) = bind(dir, port)?;
    ready(listener.local_addr()?);
    accept(&listener, &dir, &Arc::new(options));
    Ok(())
}

/// A server of one directory on a free port of 127.0.0.1, answering on
/// threads of its own while the process runs.
pub struct Server {
    addr: SocketAddr,
}

impl Server {
    /// Starts serving `dir` in the background.
    pub fn start(dir: &Path, options: Options) -> Result<Server, Error> {
        let (dir, listener) = bind(dir, 0)?;
        let addr = listener.local_addr()?;
        let options = Arc::new(options);
        std::thread::spawn(move || accept(&listener, &dir, &options));
        Ok(Server { addr })
    }

    /// Its address: `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

fn bind(dir: &Path, port: u16) -> Result<(PathBuf, TcpListener), Error> {
    let dir = dir
        .canonicalize()
        .map_err(|e| format!("cannot serve {}: {e}", dir.display()))?;
    let listener = TcpListener::bind(("127.0.0.1", port))
        .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?;
    Ok((dir, listener))
}

/// Answers each connection on a thread of its own.
fn accept(listener: &TcpListener, dir: &Path, options: &Arc<Options>) {
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let (dir, options) = (dir.to_path_buf(), Arc::clone(options));
        std::thread::spawn(move || {
            if let Err(e) = handle(stream, &dir, &options) {
                if options.log {
                    eprintln!("serve: connection error: {e}");
                }
            }
        });
    }
}

/// A response about to be written.
struct Response {
    status: &'static str,
    content_type: &'static str,
    body: Vec<u8>,
    extra: Vec<(&'static str, String)>,
}

impl Response {
    fn text(status: &'static str, message: &str) -> Self {
        Response {
            status,
            content_type: "text/plain; charset=utf-8",
            body: format!("{message}\n").into_bytes(),
            extra: Vec::new(),
        }
    }
}

fn handle(stream: TcpStream, dir: &Path, options: &Options) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    stream.set_write_timeout(Some(Duration::from_secs(30)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut head = Vec::new();
    // Read the request head line by line, up to the blank line.
    loop {
        let before = head.len();
        let n = reader
            .by_ref()
            .take((MAX_HEAD - head.len()) as u64 + 1)
            .read_until(b'\n', &mut head)?;
        if n == 0 {
            return Ok(()); // closed before a full request
        }
        if head.len() > MAX_HEAD {
            return write_response(
                stream,
                &Response::text(
                    "431 Request Header Fields Too Large",
                    "request head too large",
                ),
                false,
                options.cache,
            );
        }
        let line = &head[before..];
        if line == b"\r\n" || line == b"\n" {
            break;
        }
    }
    let head = String::from_utf8_lossy(&head);
    let request_line = head.lines().next().unwrap_or("");
    let mut parts = request_line.split(' ');
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let response = match method {
        "GET" | "HEAD" => respond(dir, options.home, target),
        _ => {
            let mut r = Response::text("405 Method Not Allowed", "only GET and HEAD are served");
            r.extra.push(("Allow", "GET, HEAD".to_string()));
            r
        }
    };
    if options.log {
        eprintln!("{method} {target} -> {}", response.status);
    }
    write_response(stream, &response, method != "HEAD", options.cache)
}

fn write_response(
    mut stream: TcpStream,
    r: &Response,
    with_body: bool,
    cache: bool,
) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n\
         Content-Security-Policy: {CSP}\r\nX-Content-Type-Options: nosniff\r\n\
         Referrer-Policy: no-referrer\r\nCache-Control: {}\r\nConnection: close\r\n",
        r.status,
        r.content_type,
        r.body.len(),
        if cache { "max-age=3600" } else { "no-cache" }
    );
    for (name, value) in &r.extra {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    if with_body {
        stream.write_all(&r.body)?;
    }
    stream.flush()
}

/// The response for a `GET` of `target` under `dir` (`/` redirected to
/// `home`, if any).
fn respond(dir: &Path, home: Option<&str>, target: &str) -> Response {
    if let (Some(home), Some(rest)) = (home, target.strip_prefix('/')) {
        if rest.is_empty() || rest.starts_with(['?', '#']) {
            // `302`, not `301`: browsers keep a permanent redirect for the
            // port, whatever is served there later.
            let mut r = Response::text("302 Found", "moved");
            r.extra.push(("Location", format!("{home}{rest}")));
            return r;
        }
    }
    let path = match resolve(dir, target) {
        Ok(p) => p,
        Err(status) => return Response::text(status, "bad request path"),
    };
    let path = if path.is_dir() {
        if !target.split(['?', '#']).next().unwrap_or("").ends_with('/') {
            // `/docs` -> `/docs/` so relative links inside resolve.
            let mut r = Response::text("301 Moved Permanently", "moved");
            let location = format!("{}/", target.split(['?', '#']).next().unwrap_or(""));
            r.extra.push(("Location", location));
            return r;
        }
        path.join("index.html")
    } else {
        path
    };
    // Symlinks must not lead out of the served directory.
    match path.canonicalize() {
        Ok(real) if real.starts_with(dir) && real.is_file() => match std::fs::read(&real) {
            Ok(body) => Response {
                status: "200 OK",
                content_type: mime_type(&real),
                body,
                extra: Vec::new(),
            },
            Err(_) => Response::text("403 Forbidden", "cannot read this file"),
        },
        _ => Response::text("404 Not Found", "not found"),
    }
}

/// Maps a request target to a path under `dir`, or an error status. The
/// target is percent-decoded; `..`, backslashes, NULs and non-UTF-8 are
/// refused.
fn resolve(dir: &Path, target: &str) -> std::result::Result<PathBuf, &'static str> {
    let path = target.split(['?', '#']).next().unwrap_or("");
    if !path.starts_with('/') {
        return Err("400 Bad Request");
    }
    let decoded = percent_decode(path).ok_or("400 Bad Request")?;
    let mut out = dir.to_path_buf();
    for segment in decoded.split('/') {
        match segment {
            "" | "." => {}
            ".." => return Err("403 Forbidden"),
            s if s.contains(['\\', '\0']) => return Err("400 Bad Request"),
            s => out.push(s),
        }
    }
    Ok(out)
}

/// Decodes `%XX` escapes; `None` for a bad escape or non-UTF-8 result.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The Content-Type for a file, by extension.
fn mime_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" | "map" => "application/json",
        "txt" | "md" | "ts" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traversal_is_refused() {
        let dir = Path::new("/srv/www");
        assert_eq!(resolve(dir, "/../etc/passwd"), Err("403 Forbidden"));
        assert_eq!(resolve(dir, "/pkg/%2e%2e/%2E%2E/x"), Err("403 Forbidden"));
        assert_eq!(resolve(dir, "/a%5c..%5cb"), Err("400 Bad Request"));
        assert_eq!(resolve(dir, "/a%00b"), Err("400 Bad Request"));
        assert_eq!(resolve(dir, "/%zz"), Err("400 Bad Request"));
        assert_eq!(resolve(dir, "/%ff"), Err("400 Bad Request"));
        assert_eq!(resolve(dir, "http://x/"), Err("400 Bad Request"));
    }

    #[test]
    fn paths_resolve_under_the_directory() {
        let dir = Path::new("/srv/www");
        assert_eq!(resolve(dir, "/"), Ok(PathBuf::from("/srv/www")));
        assert_eq!(
            resolve(dir, "/pkg/newsmark_bg.wasm?v=1"),
            Ok(PathBuf::from("/srv/www/pkg/newsmark_bg.wasm"))
        );
        assert_eq!(
            resolve(dir, "/a%20b.txt"),
            Ok(PathBuf::from("/srv/www/a b.txt"))
        );
        assert_eq!(resolve(dir, "//./x.js"), Ok(PathBuf::from("/srv/www/x.js")));
    }

    #[test]
    fn mime_types() {
        assert_eq!(
            mime_type(Path::new("a/newsmark_bg.wasm")),
            "application/wasm"
        );
        assert_eq!(
            mime_type(Path::new("main.js")),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(
            mime_type(Path::new("INDEX.HTML")),
            "text/html; charset=utf-8"
        );
        assert_eq!(mime_type(Path::new("noext")), "application/octet-stream");
    }

    #[test]
    fn serves_files_with_headers_and_refuses_traversal() {
        let dir = std::env::temp_dir().join(format!("newsmark-serve-test-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("pkg")).unwrap();
        std::fs::write(dir.join("index.html"), "<!doctype html>hi").unwrap();
        std::fs::write(dir.join("pkg/m.wasm"), b"\0asm").unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let served = dir.clone();
        std::thread::spawn(move || {
            let _ = serve(&served, 0, Options::default(), |addr| {
                tx.send(addr).unwrap()
            });
        });
        let addr = rx.recv().unwrap();
        let get = |request: &str| {
            let mut s = TcpStream::connect(addr).unwrap();
            s.write_all(request.as_bytes()).unwrap();
            let mut out = String::new();
            s.read_to_string(&mut out).unwrap();
            out
        };
        let index = get("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        assert!(index.starts_with("HTTP/1.1 200 OK\r\n"), "{index}");
        assert!(index.contains("Content-Type: text/html; charset=utf-8\r\n"));
        assert!(index.contains(&format!("Content-Security-Policy: {CSP}\r\n")));
        assert!(index.contains("X-Content-Type-Options: nosniff\r\n"));
        assert!(index.ends_with("\r\n\r\n<!doctype html>hi"));
        let wasm = get("HEAD /pkg/m.wasm HTTP/1.1\r\n\r\n");
        assert!(
            wasm.contains("Content-Type: application/wasm\r\n"),
            "{wasm}"
        );
        assert!(wasm.contains("Content-Length: 4\r\n") && wasm.ends_with("\r\n\r\n"));
        assert!(get("GET /../Cargo.toml HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 403"));
        assert!(get("GET /missing HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 404"));
        assert!(get("GET /pkg HTTP/1.1\r\n\r\n").contains("Location: /pkg/\r\n"));
        assert!(get("POST / HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 405"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_root_redirects_to_home_with_its_query() {
        let dir = std::env::temp_dir().join(format!("newsmark-serve-home-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("demo")).unwrap();
        std::fs::write(dir.join("demo/index.html"), "page").unwrap();
        let location = |r: &Response| {
            r.extra
                .iter()
                .find(|(name, _)| *name == "Location")
                .map(|(_, v)| v.clone())
        };
        let home = Some("/demo/");
        for (target, to) in [("/", "/demo/"), ("/?workers=2", "/demo/?workers=2")] {
            let r = respond(&dir, home, target);
            assert_eq!((r.status, location(&r).as_deref()), ("302 Found", Some(to)));
        }
        let page = respond(&dir, home, "/demo/?model=lite");
        assert_eq!(
            (page.status, page.body.as_slice()),
            ("200 OK", &b"page"[..])
        );
        assert_eq!(respond(&dir, home, "/index.html").status, "404 Not Found");
        // Without a home, `/` is the directory's own index.
        assert_eq!(respond(&dir, None, "/").status, "404 Not Found");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
