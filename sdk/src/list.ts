/** A page of results and the cursor of the next one ('' when it was the last). */
export interface Page<T> {
  items: T[];
  nextCursor: string;
}

/**
 * What `list()` returns: await it for the first page, or `for await` it for every item, fetching
 * pages as it goes.
 */
export interface ListResult<T> extends PromiseLike<Page<T>>, AsyncIterable<T> {}

export function paginate<T>(fetchPage: (cursor: string | undefined) => Promise<Page<T>>): ListResult<T> {
  let first: Promise<Page<T>> | undefined;
  const firstPage = () => (first ??= fetchPage(undefined));
  return {
    then: (onFulfilled, onRejected) => firstPage().then(onFulfilled, onRejected),
    async *[Symbol.asyncIterator]() {
      let page = await firstPage();
      for (;;) {
        yield* page.items;
        if (!page.nextCursor) return;
        page = await fetchPage(page.nextCursor);
      }
    },
  };
}
