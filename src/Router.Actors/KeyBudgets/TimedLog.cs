namespace Router.Actors.KeyBudgets;

/// <summary>
/// An immutable run of timed values, oldest first, over a shared array that is only ever appended to: adding to the
/// newest run writes the next free slot and taking from its front moves a start index, so a request costs no object of
/// its own. A run that is no longer the newest (an older state kept by a caller) copies its values before it adds one,
/// so every run a caller holds keeps what it held. Not thread-safe: a key's actor owns its state.
/// </summary>
internal readonly struct TimedLog<T>
{
    private const int InitialCapacity = 16;

    private readonly Slots? _slots;
    private readonly int _start;
    private readonly int _end;

    private TimedLog(Slots slots, int start, int end) => (_slots, _start, _end) = (slots, start, end);

    public int Count => _end - _start;

    public bool IsEmpty => _end == _start;

    public (DateTimeOffset At, T Value) Oldest => _slots!.Items[_start];

    /// <summary>Whether nothing was added after this run's values: adding to it writes in place rather than copying them.</summary>
    public bool IsNewest => _slots is null || _slots.Used == _end;

    public TimedLog<T> WithoutOldest() => new(_slots!, _start + 1, _end);

    public TimedLog<T> With(DateTimeOffset at, T value)
    {
        if (_slots is { } slots && slots.Used == _end && _end < slots.Items.Length)
        {
            slots.Items[_end] = (at, value);
            slots.Used++;
            return new TimedLog<T>(slots, _start, _end + 1);
        }
        // Full, or another run has appended here since: the live values move to an array of their own, with room to grow.
        var moved = new Slots(new (DateTimeOffset, T)[Math.Max(InitialCapacity, 2 * (Count + 1))]);
        if (_slots is not null) Array.Copy(_slots.Items, _start, moved.Items, 0, Count);
        moved.Items[Count] = (at, value);
        moved.Used = Count + 1;
        return new TimedLog<T>(moved, 0, Count + 1);
    }

    private sealed class Slots((DateTimeOffset At, T Value)[] items)
    {
        public readonly (DateTimeOffset At, T Value)[] Items = items;
        public int Used;
    }
}
