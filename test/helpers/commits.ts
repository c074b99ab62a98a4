/** The part of a React fiber read here; React leaves `null` where there is no child or sibling. */
type Fiber = {
	readonly type: unknown;
	readonly flags: number;
	readonly child?: Fiber;
	readonly sibling?: Fiber;
};

type Named = {readonly name?: string; readonly displayName?: string};

/** React's PerformedWork flag (the lowest bit of `flags`): the component's function ran. */
const hasPerformedWork = (fiber: Fiber) => fiber.flags % 2 === 1;

const ignore = () => undefined;

function nameOf(type: unknown): string | undefined {
	if (typeof type === 'function') {
		const named = type as Named;
		return named.displayName ?? named.name;
	}

	// React.memo(Component): its `type` is the component.
	const inner = (type as {readonly type?: unknown} | undefined)?.type;
	return typeof inner === 'function' ? nameOf(inner) : undefined;
}

/**
 * The components each React commit rendered, read through the hook React DevTools connects to
 * (`__REACT_DEVTOOLS_GLOBAL_HOOK__`, which React calls at every commit of a renderer that
 * injected itself). Call before the app is mounted. A fiber rendered in a commit when it is not
 * the one the tree held before (React clones what it renders) and it did work; a subtree that
 * bailed out keeps its old fibers.
 */
export async function recordCommits(): Promise<string[][]> {
	const commits: string[][] = [];
	let previous = new WeakSet<Fiber>();
	const global = globalThis as {__REACT_DEVTOOLS_GLOBAL_HOOK__?: unknown};
	global.__REACT_DEVTOOLS_GLOBAL_HOOK__ = {
		supportsFiber: true,
		isDisabled: false,
		inject: () => 1,
		checkDCE: ignore,
		onScheduleFiberRoot: ignore,
		onCommitFiberUnmount: ignore,
		onPostCommitFiberRoot: ignore,
		onCommitFiberRoot(_id: number, root: {readonly current: Fiber}) {
			const names: string[] = [];
			const seen = new WeakSet<Fiber>();
			const walk = (first: Fiber | undefined) => {
				for (let fiber = first; fiber; fiber = fiber.sibling) {
					const name = nameOf(fiber.type);
					if (name && hasPerformedWork(fiber) && !previous.has(fiber)) {
						names.push(name);
					}

					seen.add(fiber);
					walk(fiber.child);
				}
			};

			walk(root.current.child);
			previous = seen;
			commits.push(names);
		},
	};
	// Ink connects its renderer to DevTools only under DEV=true (and then needs a DevTools server).
	const {default: reconciler} = (await import(
		new URL('../../node_modules/ink/build/reconciler.js', import.meta.url).href
	)) as {default: {injectIntoDevTools: () => boolean}};
	reconciler.injectIntoDevTools();
	return commits;
}
