/** A browser's cookie jar for one origin, and a fetch that follows redirects itself so each hop's cookies are kept. */
export class Browser {
  readonly cookies = new Map<string, string>();
  constructor(private readonly origin: string) {}

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const target = new URL(url, this.origin);
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(target, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const [name, value] = [pair!.slice(0, pair!.indexOf('=')), pair!.slice(pair!.indexOf('=') + 1)];
      if (attributes.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a)) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  /** Follows 30x answers (GET) until a page or an API answer. */
  async navigate(url: string): Promise<{ res: Response; url: string }> {
    let at = url;
    for (let hops = 0; hops < 10; hops++) {
      const res = await this.fetch(at, { headers: { accept: 'text/html' } });
      if (res.status < 300 || res.status >= 400) return { res, url: at };
      at = new URL(res.headers.get('location')!, new URL(at, this.origin)).href;
    }
    throw new Error('too many redirects');
  }
}
