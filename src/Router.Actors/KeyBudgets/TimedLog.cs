using System.Numerics;

namespace Router.Actors.KeyBudgets;

/// <summary>
/// An immutable run of timed amounts, oldest first. Amounts added within <see cref="MergeWithin"/> of the newest entry's
/// first are one entry, timed at the latest of them: a key sending thousands of requests a second holds a few hundred entries per
/// minute, not one per request (540,000 at 9,000 a second: tens of MB on the large object heap, bench/README.md, issue 24).
/// An entry leaves the window with its latest time, so a merged amount is held at most that much longer, never less:
/// a limit may refuse up to a tenth of a second early, never admit past itself.
/// <para>
/// The newest entry is the struct's own (<c>_newest</c>), so merging into it changes no shared storage; older entries sit
/// in an array only ever appended to: adding to the newest run writes the next free slot and taking from the front
/// moves a start index. A run that is no longer the newest (an older state a caller kept) copies its entries before it
/// adds one, so every run a caller holds keeps what it held. Not thread-safe: a key's actor owns its state.
/// </para>
/// </summary>
internal readonly struct TimedLog<T> where T : struct, INumber<T>
{
    public static readonly TimeSpan MergeWithin = TimeSpan.FromMilliseconds(100);

    private const int InitialCapacity = 16;

    private readonly Slots? _slots;
    private readonly int _start;
    private readonly int _end;
    private readonly (DateTimeOffset At, T Amount)? _newest;
    private readonly DateTimeOffset _newestSince; // the newest entry's first time: what merges into it is measured from here

    private TimedLog(Slots? slots, int start, int end, (DateTimeOffset, T)? newest, DateTimeOffset newestSince) =>
        (_slots, _start, _end, _newest, _newestSince) = (slots, start, end, newest, newestSince);

    /// <summary>Entries, each the amounts added within <see cref="MergeWithin"/> of one another.</summary>
    public int Entries => _end - _start + (_newest is null ? 0 : 1);

    public bool IsEmpty => _newest is null;

    public (DateTimeOffset At, T Amount) Oldest => _end > _start ? _slots!.Items[_start] : _newest!.Value;

    /// <summary>Whether nothing was appended after this run's entries: its next append writes in place rather than copying them.</summary>
    public bool IsNewest => _slots is null || _slots.Used == _end;

    public TimedLog<T> WithoutOldest() => _end > _start ? new(_slots, _start + 1, _end, _newest, _newestSince) : new(_slots, _end, _end, null, default);

    public TimedLog<T> With(DateTimeOffset at, T amount)
    {
        if (_newest is not { } newest) return new(_slots, _start, _end, (at, amount), at);
        if (at - _newestSince < MergeWithin) return new(_slots, _start, _end, (Later(at, newest.At), newest.Amount + amount), _newestSince);
        var (slots, start, end) = Appended(newest);
        return new(slots, start, end, (at, amount), at);
    }

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    /// <summary>The array part with <paramref name="entry"/> after it: in place when this run is the newest and there is room.</summary>
    private (Slots Slots, int Start, int End) Appended((DateTimeOffset, T) entry)
    {
        if (_slots is { } slots && slots.Used == _end && _end < slots.Items.Length)
        {
            slots.Items[_end] = entry;
            slots.Used++;
            return (slots, _start, _end + 1);
        }
        // Full, or another run has appended here since: the live entries move to an array of their own, with room to grow.
        var count = _end - _start;
        var moved = new Slots(new (DateTimeOffset, T)[Math.Max(InitialCapacity, 2 * (count + 1))]);
        if (_slots is not null) Array.Copy(_slots.Items, _start, moved.Items, 0, count);
        moved.Items[count] = entry;
        moved.Used = count + 1;
        return (moved, 0, count + 1);
    }

    private sealed class Slots((DateTimeOffset At, T Amount)[] items)
    {
        public readonly (DateTimeOffset At, T Amount)[] Items = items;
        public int Used;
    }
}
