// IFC2X3 / IFC4 through IFC++ (Debian's 2019 snapshot). The file is read into
// a string and given to ReaderSTEP::loadModelFromString: the snapshot's
// loadModelFromFile loads nothing from a wide-string path (issue 14's notes).
// IFC2X3 files load as IFC4 entities; the schema reported is the file's own
// FILE_SCHEMA. Tessellation is IFC++'s GeometryConverter (carve).
#include <ifcpp/IFC4/include/IfcBuilding.h>
#include <ifcpp/IFC4/include/IfcBuildingStorey.h>
#include <ifcpp/IFC4/include/IfcCompoundPlaneAngleMeasure.h>
#include <ifcpp/IFC4/include/IfcCoordinateReferenceSystem.h>
#include <ifcpp/IFC4/include/IfcDirection.h>
#include <ifcpp/IFC4/include/IfcElement.h>
#include <ifcpp/IFC4/include/IfcGeometricRepresentationContext.h>
#include <ifcpp/IFC4/include/IfcGeometricRepresentationSubContext.h>
#include <ifcpp/IFC4/include/IfcGloballyUniqueId.h>
#include <ifcpp/IFC4/include/IfcLabel.h>
#include <ifcpp/IFC4/include/IfcLengthMeasure.h>
#include <ifcpp/IFC4/include/IfcMapConversion.h>
#include <ifcpp/IFC4/include/IfcOpeningElement.h>
#include <ifcpp/IFC4/include/IfcPostalAddress.h>
#include <ifcpp/IFC4/include/IfcReal.h>
#include <ifcpp/IFC4/include/IfcRelAggregates.h>
#include <ifcpp/IFC4/include/IfcRelContainedInSpatialStructure.h>
#include <ifcpp/IFC4/include/IfcSite.h>
#include <ifcpp/IFC4/include/IfcSpace.h>
#include <ifcpp/IFC4/include/IfcSpatialStructureElement.h>
#include <ifcpp/geometry/Carve/GeometryConverter.h>
#include <ifcpp/model/BuildingException.h>
#include <ifcpp/model/BuildingModel.h>
#include <ifcpp/model/UnitConverter.h>
#include <ifcpp/reader/ReaderSTEP.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <unordered_map>

#include "bim/detail.h"

namespace gridtwin::bim::detail {

using core::ErrorCode;
using core::makeError;

namespace {

// The classes readIfc looks for. Which of them an entity is gets decided once
// per class (dynamic_cast on its first entity) and then found by the class's
// name pointer: every IFC++ class returns its own string literal from
// className(). The passes below walk every entity of the file (tens of
// thousands), and dynamic_cast on each, through IFC++'s deep hierarchy, was a
// large share of a read.
enum KindBit : std::uint32_t {
  kStorey = 1u << 0,
  kSpace = 1u << 1,
  kElement = 1u << 2,
  kBuildingBit = 1u << 3,
  kRelAggregates = 1u << 4,
  kRelContained = 1u << 5,
  kSiteBit = 1u << 6,
  kPostalAddress = 1u << 7,
  kMapConversion = 1u << 8,
  kContext = 1u << 9,
  kSubContext = 1u << 10,
  kOpening = 1u << 11,
};

class KindCache {
 public:
  std::uint32_t of(const BuildingEntity* p) {
    if (!p) return 0;
    const char* name = p->className();
    if (auto it = m_kinds.find(name); it != m_kinds.end()) return it->second;
    std::uint32_t k = 0;
    if (dynamic_cast<const IfcBuildingStorey*>(p)) k |= kStorey;
    if (dynamic_cast<const IfcSpace*>(p)) k |= kSpace;
    if (dynamic_cast<const IfcElement*>(p)) k |= kElement;
    if (dynamic_cast<const IfcBuilding*>(p)) k |= kBuildingBit;
    if (dynamic_cast<const IfcRelAggregates*>(p)) k |= kRelAggregates;
    if (dynamic_cast<const IfcRelContainedInSpatialStructure*>(p)) k |= kRelContained;
    if (dynamic_cast<const IfcSite*>(p)) k |= kSiteBit;
    if (dynamic_cast<const IfcPostalAddress*>(p)) k |= kPostalAddress;
    if (dynamic_cast<const IfcMapConversion*>(p)) k |= kMapConversion;
    if (dynamic_cast<const IfcGeometricRepresentationContext*>(p)) k |= kContext;
    if (dynamic_cast<const IfcGeometricRepresentationSubContext*>(p)) k |= kSubContext;
    if (dynamic_cast<const IfcOpeningElement*>(p)) k |= kOpening;
    m_kinds.emplace(name, k);
    return k;
  }

 private:
  std::unordered_map<const char*, std::uint32_t> m_kinds;
};

std::string utf8(const std::wstring& w) {
  std::string out;
  out.reserve(w.size());
  for (wchar_t wc : w) {
    auto c = static_cast<std::uint32_t>(wc);
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else if (c < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (c >> 12)));
      out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else if (c < 0x110000) {
      out.push_back(static_cast<char>(0xF0 | (c >> 18)));
      out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return out;
}

template <class T>
std::string text(const shared_ptr<T>& label) {
  return label ? utf8(label->m_value) : std::string();
}

// FILE_SCHEMA(('IFC2X3')) from the header, as the file says it.
std::string headerSchema(const std::string& content) {
  const std::size_t at = content.find("FILE_SCHEMA");
  if (at == std::string::npos) return {};
  const std::size_t q1 = content.find('\'', at);
  const std::size_t end = content.find(';', at);
  if (q1 == std::string::npos || q1 > end) return {};
  const std::size_t q2 = content.find('\'', q1 + 1);
  if (q2 == std::string::npos || q2 > end) return {};
  return content.substr(q1 + 1, q2 - q1 - 1);
}

double compoundAngle(const shared_ptr<IfcCompoundPlaneAngleMeasure>& m) {
  if (!m || m->m_vec.empty()) return 0;
  const double scale[] = {1.0, 1.0 / 60, 1.0 / 3600, 1.0 / 3600e6};
  double v = 0;
  for (std::size_t i = 0; i < m->m_vec.size() && i < 4; ++i) v += m->m_vec[i] * scale[i];
  return v;
}

// "IfcWallStandardCase" -> "IfcWall": one material per kind of element.
std::string materialName(const std::string& cls) {
  for (const char* suffix : {"StandardCase", "ElementedCase"}) {
    const std::string s(suffix);
    if (cls.size() > s.size() && cls.compare(cls.size() - s.size(), s.size(), s) == 0) {
      return cls.substr(0, cls.size() - s.size());
    }
  }
  return cls;
}

bool bodyRepresentation(const std::wstring& id) {
  static const wchar_t* kSkip[] = {L"Axis",         L"FootPrint", L"Box",      L"Annotation",
                                   L"Profile",      L"Clearance", L"Lighting", L"CoG",
                                   L"SurveyPoints", L"Reference"};
  for (const wchar_t* s : kSkip) {
    if (id == s) return false;
  }
  return true;
}

void collectMessages(void* target, shared_ptr<StatusCallback::Message> m) {
  if (!m || m->m_message_type != StatusCallback::MESSAGE_TYPE_ERROR) return;
  auto* errors = static_cast<std::vector<std::string>*>(target);
  if (errors->size() < 5) errors->push_back(utf8(m->m_message_text));
}

void ignoreMessages(void*, shared_ptr<StatusCallback::Message>) {}

std::array<float, 4> appearanceColour(const std::vector<shared_ptr<AppearanceData>>& list,
                                      bool& found) {
  for (const auto& a : list) {
    if (!a) continue;
    if (a->m_apply_to_geometry_type == AppearanceData::GEOM_TYPE_SURFACE ||
        a->m_apply_to_geometry_type == AppearanceData::GEOM_TYPE_VOLUME ||
        a->m_apply_to_geometry_type == AppearanceData::GEOM_TYPE_ANY) {
      found = true;
      const double alpha = a->m_set_transparent ? 1.0 - a->m_transparency : 1.0;
      return {static_cast<float>(a->m_color_diffuse.r()),
              static_cast<float>(a->m_color_diffuse.g()),
              static_cast<float>(a->m_color_diffuse.b()),
              static_cast<float>(std::clamp(alpha, 0.1, 1.0))};
    }
  }
  return {};
}

}  // namespace

core::Result<Model> readIfc(const std::string& path, std::string content,
                            const ReadOptions& options) {
  {
    std::string_view s(content);
    if (s.substr(0, 3) == "\xEF\xBB\xBF") s.remove_prefix(3);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    if (s.rfind("ISO-10303-21", 0) != 0) {
      return makeError(ErrorCode::kUnsupported,
                       "not an IFC file: it does not begin with the STEP header ISO-10303-21;",
                       path);
    }
  }
  const std::string schema = headerSchema(content);
  if (schema.rfind("IFC", 0) != 0) {
    return makeError(ErrorCode::kUnsupported,
                     "a STEP file but not IFC: FILE_SCHEMA is '" + schema + "'", path);
  }
  if (schema != "IFC2X3" && schema.rfind("IFC4", 0) != 0) {
    return makeError(ErrorCode::kUnsupported,
                     "IFC schema '" + schema + "' is not supported (IFC2X3 and IFC4 are)", path);
  }
  if (content.find("DATA;") == std::string::npos) {
    return makeError(ErrorCode::kUnexpectedEnd, "truncated: the file has no DATA section", path);
  }
  {
    // The end marker, and the DATA section closed before it.
    const std::size_t end = content.rfind("END-ISO-10303-21");
    if (end == std::string::npos || content.rfind("ENDSEC;", end) == std::string::npos ||
        content.rfind("ENDSEC;", end) < content.find("DATA;")) {
      return makeError(ErrorCode::kUnexpectedEnd,
                       "truncated: the DATA section does not end (no ENDSEC; and "
                       "END-ISO-10303-21; after it); the file was cut short",
                       path);
    }
  }

  Model model;
  model.path = path;
  model.format = Format::kIfc;
  model.schema = schema;

  auto ifc = std::make_shared<BuildingModel>();
  auto reader = std::make_shared<ReaderSTEP>();
  std::vector<std::string> errors;
  reader->setMessageCallBack(&errors, &collectMessages);
  ifc->setMessageCallBack(&errors, &collectMessages);
  try {
    reader->loadModelFromString(content, ifc);
  } catch (const std::exception& e) {
    return makeError(ErrorCode::kParse, std::string("IFC parse failed: ") + e.what(), path);
  }
  const auto& entities = ifc->getMapIfcEntities();
  if (entities.empty()) {
    std::string why = errors.empty() ? std::string("no entity could be read") : errors.front();
    return makeError(ErrorCode::kParse, "no IFC entities in the DATA section: " + why, path);
  }
  double unit = 1.0;
  if (ifc->getUnitConverter()) unit = ifc->getUnitConverter()->getLengthInMeterFactor();

  // The few entities the passes below look at, in file id order (the rest —
  // points, loops, faces, placements — are skipped once, by class).
  KindCache kinds;
  std::vector<std::pair<int, shared_ptr<BuildingEntity>>> interesting;
  for (const auto& [id, entity] : entities) {
    if (kinds.of(entity.get()) != 0) interesting.emplace_back(id, entity);
  }

  // Storeys, ordered by elevation (then file order).
  std::vector<std::pair<int, shared_ptr<IfcBuildingStorey>>> storeys;
  std::vector<shared_ptr<IfcSpace>> spaces;
  for (const auto& [id, entity] : interesting) {
    if (auto st = dynamic_pointer_cast<IfcBuildingStorey>(entity)) {
      storeys.emplace_back(id, st);
    } else if (auto sp = dynamic_pointer_cast<IfcSpace>(entity)) {
      spaces.push_back(sp);
    } else if (auto el = dynamic_pointer_cast<IfcElement>(entity)) {
      ++model.elementCounts[materialName(el->className())];
    } else if (auto b = dynamic_pointer_cast<IfcBuilding>(entity)) {
      if (model.name.empty()) model.name = text(b->m_Name);
    }
  }
  std::stable_sort(storeys.begin(), storeys.end(), [](const auto& a, const auto& b) {
    const double ea = a.second->m_Elevation ? a.second->m_Elevation->m_value : 0;
    const double eb = b.second->m_Elevation ? b.second->m_Elevation->m_value : 0;
    return ea < eb;
  });
  std::unordered_map<int, int> storeyOf;  // entity id -> storey index
  for (const auto& [id, st] : storeys) {
    Storey s;
    s.id = st->m_GlobalId ? utf8(st->m_GlobalId->m_value) : std::string();
    s.name = text(st->m_Name);
    if (st->m_Elevation) {
      s.elevation = st->m_Elevation->m_value * unit;
      s.hasElevation = true;
    }
    storeyOf[id] = static_cast<int>(model.storeys.size());
    model.storeys.push_back(std::move(s));
  }
  std::unordered_map<int, int> spaceOf;  // entity id -> space index
  for (const auto& sp : spaces) {
    Space s;
    s.id = sp->m_GlobalId ? utf8(sp->m_GlobalId->m_value) : std::string();
    s.number = text(sp->m_Name);
    s.name = text(sp->m_LongName);
    spaceOf[sp->m_entity_id] = static_cast<int>(model.spaces.size());
    model.spaces.push_back(std::move(s));
  }
  // Spaces under storeys (IfcRelAggregates), elements in storeys or spaces
  // (IfcRelContainedInSpatialStructure).
  std::unordered_map<int, int> elementStorey, elementSpace;
  for (const auto& [id, entity] : interesting) {
    if (auto agg = dynamic_pointer_cast<IfcRelAggregates>(entity)) {
      if (!agg->m_RelatingObject) continue;
      auto parent = storeyOf.find(agg->m_RelatingObject->m_entity_id);
      if (parent == storeyOf.end()) continue;
      for (const auto& child : agg->m_RelatedObjects) {
        if (!child) continue;
        auto sp = spaceOf.find(child->m_entity_id);
        if (sp != spaceOf.end())
          model.spaces[static_cast<std::size_t>(sp->second)].storey = parent->second;
        elementStorey[child->m_entity_id] = parent->second;
      }
    }
  }
  for (const auto& [id, entity] : interesting) {
    if (auto rel = dynamic_pointer_cast<IfcRelContainedInSpatialStructure>(entity)) {
      if (!rel->m_RelatingStructure) continue;
      const int container = rel->m_RelatingStructure->m_entity_id;
      int storey = -1, space = -1;
      if (auto st = storeyOf.find(container); st != storeyOf.end()) storey = st->second;
      if (auto sp = spaceOf.find(container); sp != spaceOf.end()) {
        space = sp->second;
        storey = model.spaces[static_cast<std::size_t>(space)].storey;
      }
      for (const auto& el : rel->m_RelatedElements) {
        if (!el) continue;
        if (storey >= 0) elementStorey[el->m_entity_id] = storey;
        if (space >= 0) elementSpace[el->m_entity_id] = space;
      }
    }
  }

  // Address: the building's, else the site's, else the first in the file.
  shared_ptr<IfcPostalAddress> address;
  shared_ptr<IfcSite> site;
  for (const auto& [id, entity] : interesting) {
    if (auto b = dynamic_pointer_cast<IfcBuilding>(entity); b && b->m_BuildingAddress && !address) {
      address = b->m_BuildingAddress;
    }
    if (auto s = dynamic_pointer_cast<IfcSite>(entity); s && !site) site = s;
  }
  if (!address && site && site->m_SiteAddress) address = site->m_SiteAddress;
  if (!address) {
    for (const auto& [id, entity] : interesting) {
      if ((address = dynamic_pointer_cast<IfcPostalAddress>(entity))) break;
    }
  }
  if (address) {
    PostalAddress a;
    for (const auto& l : address->m_AddressLines) {
      if (l && !l->m_value.empty()) a.lines.push_back(utf8(l->m_value));
    }
    a.town = text(address->m_Town);
    a.region = text(address->m_Region);
    a.postalCode = text(address->m_PostalCode);
    a.country = text(address->m_Country);
    if (!a.empty()) model.address = std::move(a);
  }

  // Georeference.
  Georeference& g = model.georeference;
  if (site && site->m_RefLatitude && site->m_RefLongitude) {
    g.hasSiteReference = true;
    g.latitude = compoundAngle(site->m_RefLatitude);
    g.longitude = compoundAngle(site->m_RefLongitude);
    g.elevation = site->m_RefElevation ? site->m_RefElevation->m_value * unit : 0;
  }
  for (const auto& [id, entity] : interesting) {
    if (auto mc = dynamic_pointer_cast<IfcMapConversion>(entity)) {
      g.hasMapConversion = true;
      g.eastings = mc->m_Eastings ? mc->m_Eastings->m_value * unit : 0;
      g.northings = mc->m_Northings ? mc->m_Northings->m_value * unit : 0;
      g.orthogonalHeight = mc->m_OrthogonalHeight ? mc->m_OrthogonalHeight->m_value * unit : 0;
      g.xAxisAbscissa = mc->m_XAxisAbscissa ? mc->m_XAxisAbscissa->m_value : 1;
      g.xAxisOrdinate = mc->m_XAxisOrdinate ? mc->m_XAxisOrdinate->m_value : 0;
      g.scale = mc->m_Scale ? mc->m_Scale->m_value : 1;
      if (mc->m_TargetCRS) g.targetCrs = text(mc->m_TargetCRS->m_Name);
    } else if (auto ctx = dynamic_pointer_cast<IfcGeometricRepresentationContext>(entity)) {
      if (dynamic_pointer_cast<IfcGeometricRepresentationSubContext>(entity)) continue;
      if (ctx->m_TrueNorth && ctx->m_TrueNorth->m_DirectionRatios.size() >= 2 && !g.hasTrueNorth) {
        const auto& r = ctx->m_TrueNorth->m_DirectionRatios;
        const double x = r[0] ? r[0]->m_value : 0;
        const double y = r[1] ? r[1]->m_value : 0;
        if (x != 0 || y != 0) {
          g.hasTrueNorth = true;
          g.trueNorthDegrees = std::atan2(-x, y) * 180.0 / M_PI;
        }
      }
    }
  }

  if (options.geometry) {
    GeometryConverter converter(ifc);
    converter.setMessageCallBack(nullptr, &ignoreMessages);
    try {
      converter.convertGeometry();
    } catch (const std::exception& e) {
      return makeError(ErrorCode::kGeometry, std::string("IFC geometry failed: ") + e.what(), path);
    }
    MeshBuilder builder(model);
    for (auto& [id, product] : converter.getShapeInputData()) {
      if (!product) continue;
      shared_ptr<IfcObjectDefinition> def(product->m_ifc_object_definition);
      const std::uint32_t kind = kinds.of(def.get());
      if (!def || (kind & (kSiteBit | kOpening | kStorey | kBuildingBit))) continue;
      if (!(kind & (kElement | kSpace))) continue;
      int storey = -1, space = -1;
      if (auto it = spaceOf.find(def->m_entity_id); it != spaceOf.end()) {
        space = it->second;
        storey = model.spaces[static_cast<std::size_t>(space)].storey;
      } else {
        if (auto st = elementStorey.find(def->m_entity_id); st != elementStorey.end())
          storey = st->second;
        if (auto sp = elementSpace.find(def->m_entity_id); sp != elementSpace.end())
          space = sp->second;
      }
      const std::string name = materialName(def->className());
      bool found = false;
      std::array<float, 4> rgba = appearanceColour(product->getAppearances(), found);
      int material = -1;
      Box3 spaceBox;
      // Item geometry is in the product's own frame: its placement puts it in the model's.
      const carve::math::Matrix placement = product->getTransform();
      for (const auto& rep : product->m_vec_representations) {
        if (!rep || !bodyRepresentation(rep->m_representation_identifier)) continue;
        if (!found) rgba = appearanceColour(rep->m_vec_representation_appearances, found);
        for (const auto& item : rep->m_vec_item_data) {
          if (!item) continue;
          if (!found) rgba = appearanceColour(item->m_vec_item_appearances, found);
          if (material < 0) material = builder.material(name, found ? rgba : defaultColour(name));
          for (const auto* sets : {&item->m_meshsets, &item->m_meshsets_open}) {
            for (const auto& meshset : *sets) {
              if (!meshset) continue;
              for (const auto* mesh : meshset->meshes) {
                for (const auto* face : mesh->faces) {
                  std::vector<Vec3> ring;
                  const auto* e = face->edge;
                  for (std::size_t k = 0; k < face->n_edges && e; ++k, e = e->next) {
                    const carve::geom::vector<3> v = placement * e->vert->v;
                    ring.push_back(Vec3{v.x, v.y, v.z});
                    if (space >= 0 && def->m_entity_id == product->m_entity_id)
                      spaceBox.expand(ring.back());
                  }
                  if (ring.size() == 3) {
                    builder.triangle(material, ring[0], ring[1], ring[2], storey, space);
                  } else if (ring.size() > 3) {
                    builder.polygon(material, {ring}, storey, space);
                  }
                }
              }
            }
          }
        }
      }
      if (auto it = spaceOf.find(def->m_entity_id); it != spaceOf.end()) {
        model.spaces[static_cast<std::size_t>(it->second)].bounds = spaceBox;
      }
    }
  }
  GRIDTWIN_TRY(finishModel(model, options));
  return model;
}

}  // namespace gridtwin::bim::detail
