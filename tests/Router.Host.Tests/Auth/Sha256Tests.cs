using System.Security.Cryptography;
using Router.Host.Auth;

namespace Router.Host.Tests.Auth;

/// <summary>The request path's SHA-256: the same bytes as .NET's one-shot hash, however many threads take it at once.</summary>
public sealed class Sha256Tests
{
    [Fact]
    public async Task Every_hash_is_the_one_shot_hash_of_its_bytes_on_any_thread()
    {
        var hashes = Enumerable.Range(0, 8).Select(worker => Task.Run(() =>
        {
            var random = new Random(worker);
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            for (var i = 0; i < 2_000; i++)
            {
                var data = new byte[random.Next(0, 3_000)];
                random.NextBytes(data);
                Sha256.Hash(data, hash);
                Assert.Equal(SHA256.HashData(data), hash.ToArray());
            }
        }, TestContext.Current.CancellationToken));

        await Task.WhenAll(hashes);
    }
}
