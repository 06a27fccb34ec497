#pragma once
// A small MVT 2.1 decoder of the tests' own (protobuf read by hand), to check
// what engine/tiles writes: layers, keys/values, features, tags and the raw
// command stream, decoded back into absolute tile coordinates.
#include <cstdint>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace gridtwin::tiles::test {

using Value = std::variant<std::string, double, std::int64_t, bool>;

struct Command {
  std::uint32_t id = 0;
  std::vector<std::pair<std::int32_t, std::int32_t>> points;  // absolute
};

struct Feature {
  bool hasId = false;
  std::uint64_t id = 0;
  int type = 0;
  std::vector<std::uint32_t> tags;
  std::vector<std::uint32_t> geometry;  // raw
  std::vector<Command> commands;
  std::map<std::string, Value> properties;
};

struct Layer {
  std::uint32_t version = 1;
  std::string name;
  std::uint32_t extent = 4096;
  std::vector<std::string> keys;
  std::vector<Value> values;
  std::vector<Feature> features;
};

class Reader {
 public:
  explicit Reader(std::string_view b) : m_b(b) {}
  bool done() const { return m_at >= m_b.size(); }
  std::uint64_t varint() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (m_at >= m_b.size()) throw std::runtime_error("truncated varint");
      const auto byte = static_cast<std::uint8_t>(m_b[m_at++]);
      v |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) return v;
    }
    throw std::runtime_error("varint too long");
  }
  std::string_view bytes() {
    const auto n = varint();
    if (m_at + n > m_b.size()) throw std::runtime_error("truncated bytes");
    auto s = m_b.substr(m_at, n);
    m_at += n;
    return s;
  }
  double fixed64() {
    if (m_at + 8 > m_b.size()) throw std::runtime_error("truncated fixed64");
    double d;
    std::memcpy(&d, m_b.data() + m_at, 8);
    m_at += 8;
    return d;
  }
  void skip(std::uint32_t wire) {
    if (wire == 0) {
      varint();
    } else if (wire == 1) {
      m_at += 8;
    } else if (wire == 2) {
      bytes();
    } else if (wire == 5) {
      m_at += 4;
    } else {
      throw std::runtime_error("bad wire type");
    }
  }

 private:
  std::string_view m_b;
  std::size_t m_at = 0;
};

inline std::vector<std::uint32_t> packed(std::string_view b) {
  Reader r(b);
  std::vector<std::uint32_t> out;
  while (!r.done()) out.push_back(static_cast<std::uint32_t>(r.varint()));
  return out;
}

inline std::int32_t unzigzag(std::uint32_t n) {
  return static_cast<std::int32_t>(n >> 1) ^ -static_cast<std::int32_t>(n & 1);
}

inline std::vector<Command> commands(const std::vector<std::uint32_t>& g) {
  std::vector<Command> out;
  std::int32_t cx = 0, cy = 0;
  std::size_t i = 0;
  while (i < g.size()) {
    Command c;
    c.id = g[i] & 0x7;
    const std::uint32_t count = g[i] >> 3;
    ++i;
    if (c.id == 7) {
      if (count != 1) throw std::runtime_error("ClosePath count must be 1");
    } else if (c.id == 1 || c.id == 2) {
      for (std::uint32_t k = 0; k < count; ++k) {
        if (i + 1 >= g.size()) throw std::runtime_error("truncated command parameters");
        cx += unzigzag(g[i]);
        cy += unzigzag(g[i + 1]);
        i += 2;
        c.points.emplace_back(cx, cy);
      }
    } else {
      throw std::runtime_error("unknown command " + std::to_string(c.id));
    }
    out.push_back(c);
  }
  return out;
}

inline Value value(std::string_view b) {
  Reader r(b);
  Value v;
  int fields = 0;
  while (!r.done()) {
    const auto key = r.varint();
    const auto field = key >> 3;
    ++fields;
    if (field == 1) {
      v = std::string(r.bytes());
    } else if (field == 3) {
      v = r.fixed64();
    } else if (field == 4) {
      v = static_cast<std::int64_t>(r.varint());
    } else if (field == 5) {
      v = static_cast<std::int64_t>(r.varint());
    } else if (field == 6) {
      const auto z = r.varint();
      v = static_cast<std::int64_t>((z >> 1) ^ (~(z & 1) + 1));
    } else if (field == 7) {
      v = r.varint() != 0;
    } else {
      r.skip(static_cast<std::uint32_t>(key & 7));
    }
  }
  if (fields != 1) throw std::runtime_error("a value must hold exactly one field");
  return v;
}

inline std::vector<Layer> decode(std::string_view tile) {
  std::vector<Layer> layers;
  Reader t(tile);
  while (!t.done()) {
    const auto key = t.varint();
    if ((key >> 3) != 3) {
      t.skip(static_cast<std::uint32_t>(key & 7));
      continue;
    }
    Reader r(t.bytes());
    Layer layer;
    std::vector<std::string_view> features;
    while (!r.done()) {
      const auto k = r.varint();
      switch (k >> 3) {
        case 15:
          layer.version = static_cast<std::uint32_t>(r.varint());
          break;
        case 1:
          layer.name = std::string(r.bytes());
          break;
        case 2:
          features.push_back(r.bytes());
          break;
        case 3:
          layer.keys.emplace_back(r.bytes());
          break;
        case 4:
          layer.values.push_back(value(r.bytes()));
          break;
        case 5:
          layer.extent = static_cast<std::uint32_t>(r.varint());
          break;
        default:
          r.skip(static_cast<std::uint32_t>(k & 7));
      }
    }
    for (auto fb : features) {
      Reader fr(fb);
      Feature f;
      while (!fr.done()) {
        const auto k = fr.varint();
        switch (k >> 3) {
          case 1:
            f.hasId = true;
            f.id = fr.varint();
            break;
          case 2:
            f.tags = packed(fr.bytes());
            break;
          case 3:
            f.type = static_cast<int>(fr.varint());
            break;
          case 4:
            f.geometry = packed(fr.bytes());
            break;
          default:
            fr.skip(static_cast<std::uint32_t>(k & 7));
        }
      }
      if (f.tags.size() % 2 != 0) throw std::runtime_error("odd tag count");
      for (std::size_t i = 0; i < f.tags.size(); i += 2) {
        f.properties[layer.keys.at(f.tags[i])] = layer.values.at(f.tags[i + 1]);
      }
      f.commands = commands(f.geometry);
      layer.features.push_back(std::move(f));
    }
    layers.push_back(std::move(layer));
  }
  return layers;
}

}  // namespace gridtwin::tiles::test
