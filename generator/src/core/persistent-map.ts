// An immutable string-keyed map whose `set` returns a new map sharing all but O(log n) nodes with
// the old one: a treap (a binary search tree kept balanced by random heap priorities). Dockerfile
// stages inherit the ENV of the stage they are built FROM; copying that environment per stage made
// a chain of stages quadratic. Priorities come from Math.random, not from the keys, so no choice of
// names can unbalance the tree; they change only the shape, never what `get` answers.

class Node<V> {
  constructor(
    readonly key: string,
    readonly value: V,
    readonly priority: number,
    readonly left: Node<V> | undefined,
    readonly right: Node<V> | undefined,
  ) {}
}

function insert<V>(node: Node<V> | undefined, key: string, value: V): Node<V> {
  if (node === undefined) return new Node(key, value, Math.random(), undefined, undefined);
  if (key === node.key) return new Node(key, value, node.priority, node.left, node.right);
  if (key < node.key) {
    const left = insert(node.left, key, value);
    // Rotate right when the new child outranks its parent.
    if (left.priority > node.priority) return new Node(left.key, left.value, left.priority, left.left, new Node(node.key, node.value, node.priority, left.right, node.right));
    return new Node(node.key, node.value, node.priority, left, node.right);
  }
  const right = insert(node.right, key, value);
  if (right.priority > node.priority) return new Node(right.key, right.value, right.priority, new Node(node.key, node.value, node.priority, node.left, right.left), right.right);
  return new Node(node.key, node.value, node.priority, node.left, right);
}

export class PersistentMap<V> {
  private constructor(private readonly root: Node<V> | undefined) {}

  static empty<V>(): PersistentMap<V> {
    return new PersistentMap<V>(undefined);
  }

  get(key: string): V | undefined {
    let node = this.root;
    while (node !== undefined) {
      if (key === node.key) return node.value;
      node = key < node.key ? node.left : node.right;
    }
    return undefined;
  }

  set(key: string, value: V): PersistentMap<V> {
    return new PersistentMap(insert(this.root, key, value));
  }
}
