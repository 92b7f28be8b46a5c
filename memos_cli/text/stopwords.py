"""Chinese function words that BM25 should not count: particles, pronouns, conjunctions,
common adverbs and question words. Short on purpose: a word that carries meaning in a memory
("不", "喜欢", "没有") stays, and IDF already discounts what is merely frequent."""

from __future__ import annotations

CHINESE = frozenset("""
的 了 着 过 地 得 之 是 在 和 与 及 或 而 也 都 就 还 又 才 把 被 让 给 对 向 从 于 以 为
吗 呢 吧 啊 呀 哦 嗯 哈 啦 嘛 么 哇 噢 哎 嘿 喔
这 那 这个 那个 这些 那些 这样 那样 这么 那么 这里 那里 这儿 那儿 这种 那种 这次 那次
一个 一些 有些 什么 怎么 怎样 怎么样 哪 哪里 哪儿 哪个 谁 多少 为什么 如何 什么样 什么时候
我 你 他 她 它 我们 你们 他们 她们 它们 咱们 自己 您 大家 别人
因为 所以 但是 但 可是 不过 然后 如果 虽然 而且 并且 或者 还是 就是 只是 于是 因此
已经 一直 非常 很 太 更 挺 比较 有点 真的 确实 其实 当然 一下 一起 一样 所有 每 各 其
其他 此 该 某 等 们 个 呃 哈哈 哈哈哈 嗯嗯 吧吧
""".split())
