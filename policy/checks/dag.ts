/**
 * The task graph of a KusciaJob: tasks by alias, edges from each task to the
 * tasks it depends on. Iterative throughout (a job may hold many tasks and long
 * chains): no recursion, so no stack limit.
 */

export interface DagTask {
  alias: string;
  dependencies: string[];
}

/**
 * One cycle among `tasks` as aliases in dependency order, first repeated at the end
 * (`["a", "b", "a"]` means a depends on b, b depends on a), or undefined when the graph is
 * acyclic. Dependencies naming no task are ignored (another rule reports them). Iterative
 * depth-first search with colours; the first task (in list order) on a cycle starts it.
 */
export function findCycle(tasks: readonly DagTask[]): string[] | undefined {
  const deps = new Map<string, string[]>();
  for (const t of tasks) if (!deps.has(t.alias)) deps.set(t.alias, t.dependencies);
  const WHITE = 0, GREY = 1, BLACK = 2;
  const colour = new Map<string, number>();
  for (const start of deps.keys()) {
    if ((colour.get(start) ?? WHITE) !== WHITE) continue;
    // Stack of [node, index of the next dependency to visit]; `path` mirrors the grey nodes.
    const stack: [string, number][] = [[start, 0]];
    const path: string[] = [start];
    colour.set(start, GREY);
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const ds = deps.get(top[0]) ?? [];
      if (top[1] >= ds.length) {
        colour.set(top[0], BLACK);
        stack.pop();
        path.pop();
        continue;
      }
      const next = ds[top[1]++];
      if (!deps.has(next)) continue;
      const c = colour.get(next) ?? WHITE;
      if (c === GREY) return [...path.slice(path.indexOf(next)), next];
      if (c === WHITE) {
        colour.set(next, GREY);
        stack.push([next, 0]);
        path.push(next);
      }
    }
  }
  return undefined;
}
